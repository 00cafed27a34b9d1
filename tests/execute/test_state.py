"""stateTracking, stateCount and stateDuration: runs of rows where fn is true."""

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
        f"s,host=a v=1 {T0}", f"s,host=a v=5 {T0 + 10 * S}", f"s,host=a v=6 {T0 + 25 * S}",
        f"s,host=a v=2 {T0 + 30 * S}", f"s,host=a v=7 {T0 + 90 * S}",
        f"s,host=b v=9 {T0}",
    ])


def test_state_count(engine):
    result = both(engine, RANGE + " |> stateCount(fn: (r) => r._value > 4.0)", "stateCount")
    assert [r[2] for r in result] == [[-1, 1, 2, -1, 1], [1]]
    assert result[0][1][-1] == "stateCount"


def test_state_duration_in_units(engine):
    seconds = both(engine, RANGE + " |> stateDuration(fn: (r) => r._value > 4.0)",
                   "stateDuration")
    assert [r[2] for r in seconds] == [[-1, 0, 15, -1, 0], [0]]
    tens = both(engine, RANGE + ' |> stateDuration(fn: (r) => r._value > 4.0, column: "d",'
                ' unit: 10s)', "d")
    assert tens[0][2] == [-1, 0, 1, -1, 0]  # 15s is one whole 10s


def test_both_columns_in_order(engine):
    flux = RANGE + ' |> stateTracking(fn: (r) => r._value < 3.0, countColumn: "c",' \
        ' durationColumn: "d")'
    (a, b) = both(engine, flux, "c")
    assert a[1][-2:] == ["c", "d"]
    assert a[2] == [1, -1, -1, 1, -1]


def test_null_predicate_is_false(engine):
    result = both(engine, RANGE + ' |> stateCount(fn: (r) => r.nope == "x")', "stateCount")
    assert [r[2] for r in result] == [[-1] * 5, [-1]]


def test_row_by_row_function(engine):
    flux = RANGE + " |> stateCount(fn: (r) => { big = r._value > 4.0\n return big })"
    assert both(engine, flux, "stateCount")[0][2] == [-1, 1, 2, -1, 1]


def test_out_of_order_times(engine):
    with pytest.raises(FluxRuntimeError, match="got an out-of-order timestamp"):
        engine.query(RANGE + ' |> sort(columns: ["_time"], desc: true)'
                             ' |> stateDuration(fn: (r) => true)')


def test_missing_time_column(engine):
    with pytest.raises(FluxRuntimeError, match='column "_time" does not exist'):
        engine.query(RANGE + ' |> drop(columns: ["_time"]) |> stateCount(fn: (r) => true)')


def test_unit_must_be_positive(engine):
    with pytest.raises(FluxRuntimeError, match="duration unit must be greater than zero"):
        engine.query(RANGE + " |> stateDuration(fn: (r) => true, unit: 0s)")
