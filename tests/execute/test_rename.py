"""rename: by mapping or function; key columns renamed in the key; errors as upstream."""

from __future__ import annotations

import pytest
from helpers import write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, f"cpu,host=a usage=1 {T0}\n")


def test_rename_by_mapping_renames_key_columns_too(engine):
    for rules in ((), ("all",)):
        (table,) = engine.query(RANGE + ' |> rename(columns: {host: "server", _value: "v"})',
                                disabled_rules=rules)["_result"]
        assert table.frame.columns == ["_start", "_stop", "_time", "v", "_field",
                                       "_measurement", "server"]
        assert table.key == ("_start", "_stop", "_field", "_measurement", "server")
        assert table.key_record()["server"] == "a"


def test_rename_by_function(engine):
    (table,) = engine.query(RANGE + ' |> rename(fn: (column) => "x" + column)')["_result"]
    assert table.frame.columns[:3] == ["x_start", "x_stop", "x_time"]
    assert table.key[0] == "x_start"


@pytest.mark.parametrize(("flux", "message"), [
    (RANGE + ' |> rename(columns: {nope: "x"})', 'rename error: column "nope" doesn\'t exist'),
    (RANGE + ' |> rename(columns: {host: "_field"})', 'more than one column would be named'),
    (RANGE + ' |> rename(fn: (column) => 1)', "fn must return a string"),
    (RANGE + ' |> rename(columns: {host: 1})', "columns must be a record of new names"),
])
def test_errors(engine, flux, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(flux)
