"""elapsed: time since the previous row in units (float64 as upstream), first row dropped;
increase: non-negative differences summed."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"m,host=a v={v}i {T0 + t}" for v, t in
                                 [(3, 0), (5, 1500 * 10**6), (1, 4 * S), (4, 4 * S + 1)]])


def test_elapsed_in_units_truncated(engine):
    (table,) = both(engine, RANGE + " |> elapsed()", "elapsed")
    assert table[2] == [1, 2, 0] and table[1][-1] == "elapsed"
    (table,) = both(engine, RANGE + ' |> elapsed(unit: 1ms, columnName: "ms")', "ms")
    # float64 nanoseconds of today's times cannot hold 1ns: as upstream, the step reads 0
    assert table[2] == [1500, 2500, 0]


def test_elapsed_needs_its_column(engine):
    with pytest.raises(FluxRuntimeError, match='column "t" does not exist'):
        engine.query(RANGE + ' |> elapsed(timeColumn: "t")')
    # not a time column: upstream appends no row (and no column)
    (table,) = both(engine, RANGE + ' |> elapsed(timeColumn: "_value")')
    assert table[2] == [] and "elapsed" not in table[1]


def test_increase(engine):
    (table,) = both(engine, RANGE + " |> increase()")
    assert table[2] == [0, 2, 3, 6]
