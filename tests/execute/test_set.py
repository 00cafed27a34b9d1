"""set: a column overwritten or appended as a string; a key column changes and tables merge."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, f"cpu,host=a usage=1 {T0}\ncpu,host=b usage=2 {T0 + 1}\n")


def test_set_appends_a_new_column_outside_the_key(engine):
    result = both(engine, RANGE + ' |> set(key: "unit", value: "%")')
    assert [r[1][-1] for r in result] == ["unit", "unit"]
    assert all("unit" not in r[0] for r in result)


def test_setting_a_key_column_merges_tables(engine):
    (only,) = both(engine, RANGE + ' |> set(key: "host", value: "all")')
    key, columns, values = only
    assert key["host"] == "all" and values == [1.0, 2.0]
    assert columns == ["_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]


def test_set_overwrites_a_non_key_column_as_a_string(engine):
    result = engine.query(RANGE + ' |> set(key: "_value", value: "x")')["_result"]
    assert [t.frame["_value"].to_list() for t in result] == [["x"], ["x"]]


def test_key_and_value_must_be_strings(engine):
    with pytest.raises(FluxRuntimeError, match="key and value must be strings"):
        engine.query(RANGE + ' |> set(key: "a", value: 1)')
