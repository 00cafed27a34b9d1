"""distinct: per table, first-appearance order, null one value, key and missing columns."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=3,state=\"ok\" {T0}",
        f"cpu,host=a usage=1,state=\"ok\" {T0 + S}",
        f"cpu,host=a usage=3 {T0 + 2 * S}",
        f"cpu,host=a usage=1,state=\"bad\" {T0 + 3 * S}",
        f"mem,host=b used=2i {T0}",
    ])


def test_distinct_values_in_first_appearance_order(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field != "state") |> distinct()')
    assert [r[2] for r in result] == [[3.0, 1.0], [2]]
    assert result[0][1] == ["_start", "_stop", "_field", "_measurement", "host", "_value"]


def test_null_is_one_value(engine):
    flux = RANGE + ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'
    result = both(engine, flux + ' |> distinct(column: "state")')
    # rows of the pivot: the state table's times first (T0, T2), then usage's T1
    assert [r[2] for r in result] == [["ok", "bad", None], [""]]  # mem has no state


def test_key_column_gives_its_value(engine):
    result = both(engine, RANGE + ' |> distinct(column: "host")')
    assert [r[2] for r in result] == [["a"], ["a"], ["b"]]


def test_missing_column_gives_an_empty_string(engine):
    result = both(engine, RANGE + ' |> distinct(column: "nope")')
    assert [r[2] for r in result] == [[""], [""], [""]]


def test_empty_tables(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._field == "none", onEmpty: "keep")'
    assert [r[2] for r in both(engine, flux + " |> distinct()")] == [[], [], []]
    assert [r[2] for r in both(engine, flux + ' |> distinct(column: "host")')] == [
        ["a"], ["a"], ["b"]]


def test_distinct_after_group(engine):
    flux = (RANGE + ' |> filter(fn: (r) => r._field != "state") |> keep(columns: ["host"])'
            ' |> group() |> distinct(column: "host")')
    result = both(engine, flux)
    assert result == [({}, ["_value"], ["a", "b"])]
