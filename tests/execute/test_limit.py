"""limit and tail: per-table slices with offset; what becomes of tables left without rows."""

from __future__ import annotations

import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    lines = [f"cpu,host=a usage={i} {T0 + i * S}" for i in range(5)]
    lines += [f"cpu,host=b usage={10 + i} {T0 + i * S}" for i in range(2)]
    return write_bucket(engine, lines)


def both(engine, flux):
    """(host or None, values) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key_record().get("host"), t.frame["_value"].to_list()))


def test_limit(engine):
    assert both(engine, RANGE + " |> limit(n: 2)") == [("a", [0.0, 1.0]), ("b", [10.0, 11.0])]


def test_limit_offset(engine):
    assert both(engine, RANGE + " |> limit(n: 2, offset: 1)") == [("a", [1.0, 2.0]),
                                                                   ("b", [11.0])]


def test_limit_offset_past_the_end_leaves_no_table(engine):
    assert both(engine, RANGE + " |> limit(n: 2, offset: 3)") == [("a", [3.0, 4.0])]


def test_limit_zero_keeps_empty_tables(engine):
    assert both(engine, RANGE + " |> limit(n: 0)") == [("a", []), ("b", [])]


def test_limit_keeps_empty_input_tables(engine):
    flux = RANGE + ' |> filter(fn: (r) => r.host == "b" or r._value > 3.0, onEmpty: "keep")'
    assert both(engine, flux + " |> limit(n: 1)") == [("a", [4.0]), ("b", [10.0])]
    flux = RANGE + ' |> filter(fn: (r) => r._value > 30.0, onEmpty: "keep")'
    assert both(engine, flux + " |> limit(n: 1)") == [("a", []), ("b", [])]


def test_limit_negative_offset_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match=r"limit offset cannot be negative \(-1\)"):
        engine.query(RANGE + " |> limit(n: 1, offset: -1)")


def test_limit_without_key(engine):
    assert both(engine, RANGE + ' |> group() |> limit(n: 3, offset: 4)') == [(None, [4.0, 10.0,
                                                                                    11.0])]


def test_tail(engine):
    assert both(engine, RANGE + " |> tail(n: 2)") == [("a", [3.0, 4.0]), ("b", [10.0, 11.0])]


def test_tail_offset(engine):
    assert both(engine, RANGE + " |> tail(n: 2, offset: 1)") == [("a", [2.0, 3.0]),
                                                                  ("b", [10.0])]


def test_tail_keeps_tables_it_empties(engine):
    assert both(engine, RANGE + " |> tail(n: 2, offset: 2)") == [("a", [1.0, 2.0]), ("b", [])]
    assert both(engine, RANGE + " |> tail(n: 0)") == [("a", []), ("b", [])]


def test_n_is_required(engine):
    with pytest.raises(FluxRuntimeError, match="missing required argument 'n'"):
        engine.query(RANGE + " |> tail()")
