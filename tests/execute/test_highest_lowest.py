"""highest*/lowest* (Flux over group, a reducer, group() and top/bottom)."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

T0 = 1704067200000000000
M = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1.5 {T0}", f"cpu,host=a usage=4 {T0 + M}",
        f"cpu,host=a usage=3 {T0 + 2 * M}",
        f"cpu,host=b usage=2 {T0}", f"cpu,host=b usage=7 {T0 + M}",
        f"cpu,host=b usage=0.5 {T0 + 2 * M}",
        f"cpu,host=c usage=5 {T0}",
    ])


@pytest.mark.parametrize(("call", "hosts", "values"), [
    ("highestMax", ["b", "c"], [7.0, 5.0]),
    ("highestAverage", ["c", "b"], [5.0, 9.5 / 3]),
    ("highestCurrent", ["c", "a"], [5.0, 3.0]),
    ("lowestMin", ["b", "a"], [0.5, 1.5]),
    ("lowestAverage", ["a", "b"], [8.5 / 3, 9.5 / 3]),
    ("lowestCurrent", ["b", "a"], [0.5, 3.0]),
])
def test_two_of_three_hosts(engine, call, hosts, values):
    (table,) = both(engine, RANGE + f' |> {call}(n: 2, groupColumns: ["host"])')
    assert table[0] == {}  # one table, no key
    assert table[2] == pytest.approx(values)
    (named,) = both(engine, RANGE + f' |> {call}(n: 2, groupColumns: ["host"])', "host")
    assert named[2] == hosts


def test_average_keeps_only_key_and_column(engine):
    (table,) = both(engine, RANGE + ' |> highestAverage(n: 1, groupColumns: ["host"])')
    assert table[1] == ["_start", "_stop", "host", "_value"]


def test_without_group_columns_all_rows_compete(engine):
    (table,) = both(engine, RANGE + " |> highestMax(n: 3)")
    assert table[2] == [7.0]  # one table, so one max
