"""top/bottom (Flux over sort and limit): n rows per table, stable, nulls first."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

T0 = 1704067200000000000
M = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
PIVOT = ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1.5,temp=20 {T0}",
        f"cpu,host=a usage=4 {T0 + M}",
        f"cpu,host=a usage=3,temp=25 {T0 + 2 * M}",
        f"cpu,host=a usage=4,temp=22 {T0 + 3 * M}",
        f"cpu,host=b usage=2 {T0}",
    ])


def test_top_keeps_the_largest_rows_first_of_ties_first(engine):
    values = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage") |> top(n: 3)')
    assert [r[2] for r in values] == [[4.0, 4.0, 3.0], [2.0]]
    times = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage") |> top(n: 2)',
                 "_time")
    assert times[0][2][0] < times[0][2][1]  # of the two 4s the earlier comes first


def test_bottom(engine):
    values = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage") |> bottom(n: 2)')
    assert [r[2] for r in values] == [[1.5, 3.0], [2.0]]


def test_nulls_come_first_both_ways(engine):
    top = both(engine, RANGE + PIVOT + ' |> top(n: 2, columns: ["temp"])', "usage")
    bottom = both(engine, RANGE + PIVOT + ' |> bottom(n: 2, columns: ["temp"])', "usage")
    assert top[0][2] == [4.0, 3.0]  # null temp, then 25
    assert bottom[0][2] == [4.0, 1.5]  # null temp, then 20
    assert top[1][2] == [2.0]
