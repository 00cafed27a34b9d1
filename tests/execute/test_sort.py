"""sort: per table, stable, nulls first in both directions, key columns ignored."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=3,tag=\"x\" {T0}",
        f"cpu,host=a usage=1,tag=\"y\" {T0 + S}",
        f"cpu,host=a usage=2 {T0 + 2 * S}",
        f"cpu,host=a tag=\"x\" {T0 + 3 * S}",
        f"cpu,host=b usage=5 {T0}",
        f"cpu,host=b usage=4 {T0 + S}",
    ])


def test_sort_by_value_per_table(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage") |> sort()')
    assert [r[2] for r in result] == [[1.0, 2.0, 3.0], [4.0, 5.0]]
    assert result[0][1] == ["_start", "_stop", "_time", "_value", "_field", "_measurement",
                            "host"]


def test_sort_descending(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage")'
                  ' |> sort(desc: true)')
    assert [r[2] for r in result] == [[3.0, 2.0, 1.0], [5.0, 4.0]]


def test_nulls_first_both_directions(engine):
    base = RANGE + ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'
    asc = both(engine, base + ' |> sort(columns: ["usage"])', "usage")
    desc = both(engine, base + ' |> sort(columns: ["usage"], desc: true)', "usage")
    assert asc[0][2] == [None, 1.0, 2.0, 3.0]
    assert desc[0][2] == [None, 3.0, 2.0, 1.0]


def test_multi_column_and_stable(engine):
    base = RANGE + ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'
    result = both(engine, base + ' |> sort(columns: ["tag", "usage"])', "usage")
    # tag: null (usage 2), x (3), x (null), y (1) -> tag then usage
    assert result[0][2] == [2.0, None, 3.0, 1.0]
    stable = both(engine, base + ' |> sort(columns: ["tag"])', "usage")
    assert stable[0][2] == [2.0, 3.0, None, 1.0]


def test_key_and_missing_columns_are_ignored(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage")'
                  ' |> sort(columns: ["host", "nope"])')
    assert [r[2] for r in result] == [[3.0, 1.0, 2.0], [5.0, 4.0]]


def test_time_and_string_columns(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "tag")'
                  ' |> sort(columns: ["_value", "_time"], desc: true)')
    assert result[0][2] == ["y", "x", "x"]
    times = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "tag")'
                 ' |> sort(columns: ["_value", "_time"], desc: true)', "_time")
    assert times[0][2][1] > times[0][2][2]


def test_empty_tables_stay(engine):
    result = engine.query(RANGE + ' |> filter(fn: (r) => r._field == "none", onEmpty: "keep")'
                          ' |> sort()')["_result"]
    assert [t.frame.height for t in result] == [0, 0, 0]


def test_columns_must_be_strings(engine):
    with pytest.raises(FluxRuntimeError, match="columns must be an array of strings"):
        engine.query(RANGE + " |> sort(columns: [1])")
