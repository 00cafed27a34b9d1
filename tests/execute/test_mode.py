"""mode: the most frequent values per table, ascending; no mode when all tie."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


def points(tag: str, field: str, values: list[str]) -> list[str]:
    return [f"m,t={tag} {field}={v} {T0 + i * S}" for i, v in enumerate(values)]


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        *points("a", "v", ["3i", "1i", "3i", "1i", "2i"]),
        *points("b", "v", ["5i", "5i"]),
        *points("c", "v", ["4i", "6i", "4i"]),
        *points("a", "s", ['"y"', '"x"', '"y"']),
        *points("a", "f", ["true", "false"]),
    ])


def test_ties_sorted_and_no_mode(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "v") |> mode()')
    assert [r[2] for r in result] == [[1, 3], [None], [4]]
    assert result[0][1] == ["_start", "_stop", "_field", "_measurement", "t", "_value"]


def test_strings_and_bools(engine):
    strings = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "s") |> mode()')
    bools = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "f") |> mode()')
    assert strings[0][2] == ["y"] and bools[0][2] == [None]


def test_key_and_missing_columns(engine):
    key = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "v") |> mode(column: "t")')
    missing = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "v")'
                   ' |> mode(column: "nope")')
    assert [r[2] for r in key] == [["a"], ["b"], ["c"]]
    assert [r[2] for r in missing] == [[""], [""], [""]]


def test_nulls_are_not_counted(engine):
    flux = RANGE + ' |> filter(fn: (r) => r.t == "a")' \
        ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")' \
        ' |> mode(column: "s")'
    assert both(engine, flux)[0][2] == ["y"]  # two nulls would outnumber "x" otherwise
