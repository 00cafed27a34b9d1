"""keep and drop: columns chosen by name or function, keys shrunk, tables merged."""

from __future__ import annotations

import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, f"cpu,host=a,dc=x usage=1 {T0}\ncpu,host=b,dc=x usage=2 {T0 + 1}\n"
                                f"cpu,host=a,dc=y usage=3 {T0 + 2}\n")


def shape(engine, flux):
    """(key, columns, values) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key, t.frame.columns, t.frame["_value"].to_list()))


def test_keep_columns_shrinks_the_key_and_merges_tables(engine):
    result = shape(engine, RANGE + ' |> keep(columns: ["_time", "_value", "dc", "nope"])')
    assert result == [
        (("dc",), ["_time", "_value", "dc"], [1.0, 2.0]),
        (("dc",), ["_time", "_value", "dc"], [3.0]),
    ]


def test_drop_columns_and_drop_fn(engine):
    dropped = shape(engine, RANGE + ' |> drop(columns: ["host", "_start", "_stop", "nope"])')
    assert [(k, v) for k, _, v in dropped] == [
        (("_field", "_measurement", "dc"), [1.0, 2.0]),
        (("_field", "_measurement", "dc"), [3.0])]
    by_fn = shape(engine, RANGE + ' |> drop(fn: (column) => column =~ /^_(start|stop)$/ or '
                                  'column == "host")')
    assert by_fn == dropped


def test_keep_fn_and_keeping_nothing(engine):
    kept = shape(engine, RANGE + ' |> keep(fn: (column) => column == "_value"'
                                 ' or column == "host")')
    assert kept == [(("host",), ["_value", "host"], [1.0, 3.0]),
                    (("host",), ["_value", "host"], [2.0])]
    assert engine.query(RANGE + ' |> keep(columns: ["nope"])') == {"_result": []}


@pytest.mark.parametrize(("flux", "message"), [
    (RANGE + ' |> keep()', "exactly one of columns or fn"),
    (RANGE + ' |> keep(columns: ["a"], fn: (column) => true)', "exactly one of columns or fn"),
    (RANGE + ' |> drop(columns: [1])', "array of strings"),
    (RANGE + ' |> drop(fn: (column) => 1)', "drop: fn must return a bool"),
])
def test_errors(engine, flux, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(flux)
