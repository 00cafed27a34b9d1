"""movingAverage: windows of n rows in upstream's summation order, nulls skipped, short tables
(fewer than n-1 rows: one row; exactly n-1: none), empty tables kept; timedMovingAverage."""

from __future__ import annotations

import random

import polars as pl
import pytest
from helpers import bare_context, both, column_lists, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TableStream
from tsengine.stdlib.universe.moving_average import MovingAverage, run_moving_average

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


def run(values, n, dtype=pl.Int64, key=None):
    key = key or ["a"] * len(values)
    frame = pl.DataFrame({"k": key, "_value": pl.Series(values, dtype=dtype)})
    out = run_moving_average(bare_context(), MovingAverage(None, n),  # type: ignore[arg-type]
                             [TableStream.of(frame, ["k"])])
    return column_lists(out, "_value")


def upstream(values, n):
    """Upstream's ring buffer, row by row: the reference."""
    data, mask, out, needed = [0.0] * n, [False] * n, [], n - 1
    for i, v in enumerate(values):
        mask[i % n] = v is not None
        if v is not None:
            data[i % n] = float(v)
        if needed == 0:
            total, count = 0.0, 0
            for d, m in zip(data, mask, strict=True):
                if m:
                    total, count = total + d, count + 1
            out.append(total / count if count else None)
        else:
            needed -= 1
    return out


def test_means_of_the_last_n_rows_are_floats():
    assert run([2, 4, 6, 8], 2) == [[3.0, 5.0, 7.0]]
    assert run([1, 2], 1, pl.UInt64) == [[1.0, 2.0]]


def test_nulls_are_skipped_and_an_all_null_window_is_null():
    assert run([None, None, 4, 2], 2) == [[None, 4.0, 3.0]]


def test_short_tables():
    assert run([2, 4, 5], 5) == [[11 / 3]]  # fewer than n-1 rows: one row
    assert run([2, 4], 3) == [[]]  # exactly n-1 rows: upstream flushes nothing


def test_floats_add_in_upstreams_order():
    rng = random.Random(7)
    values = [rng.uniform(-1e6, 1e6) for _ in range(200)]
    for n in (3, 7, 16):
        assert run(values, n, pl.Float64) == [upstream(values, n)]


def test_tables_interleaved_in_a_frame_are_separate():
    assert run([1, 10, 3, 30, 5], 2, key=["a", "b", "a", "b", "a"]) == [[2.0, 4.0], [20.0]]


def test_errors():
    frame = pl.DataFrame({"k": ["a"], "_value": ["x"]})
    with pytest.raises(FluxRuntimeError, match="cannot take moving average of column _value"):
        run_moving_average(bare_context(), MovingAverage(None, 2),  # type: ignore[arg-type]
                           [TableStream.of(frame, ["k"])])
    with pytest.raises(FluxRuntimeError, match="cannot find _value column"):
        run_moving_average(bare_context(), MovingAverage(None, 2),  # type: ignore[arg-type]
                           [TableStream.of(frame.drop("_value"), ["k"])])


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"m,host=a v={v}i {T0 + i * 10 * S}"
                                 for i, v in enumerate([2, 4, 6, 8, 10, 12])])


def test_through_a_query(engine):
    (table,) = both(engine, RANGE + " |> movingAverage(n: 4)")
    assert table[2] == [5.0, 7.0, 9.0]
    with pytest.raises(FluxRuntimeError, match="period of -1"):
        engine.query(RANGE + " |> movingAverage(n: -1)")


def test_timed_moving_average_means_windows_at_their_stop(engine):
    q = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:01:00Z)'
         " |> timedMovingAverage(every: 20s, period: 40s)")
    (table,) = both(engine, q)
    assert table[2] == [3.0, 5.0, 9.0, 11.0]
    (times,) = both(engine, q, "_time")
    assert [t.second for t in times[2]] == [20, 40, 0, 0]
