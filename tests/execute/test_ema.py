"""exponentialMovingAverage, doubleEMA, tripleEMA and tripleExponentialDerivative: upstream's
seeding, null handling and short tables, to the bit (upstream's own test values)."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import bare_context, both, column_lists, write_bucket

from tsengine.execute.table import TableStream
from tsengine.stdlib.universe.ema import (
    ExponentialMovingAverage,
    TripleExponentialDerivative,
    run_exponential_moving_average,
    run_triple_exponential_derivative,
)

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
UP_DOWN = list(range(1, 16)) + list(range(14, 0, -1))


def ema(values, n, dtype=pl.Float64, key=None):
    key = key or ["a"] * len(values)
    frame = pl.DataFrame({"k": key, "_value": pl.Series(values, dtype=dtype)})
    out = run_exponential_moving_average(
        bare_context(), ExponentialMovingAverage(None, n),  # type: ignore[arg-type]
        [TableStream.of(frame, ["k"])])
    return column_lists(out, "_value")


def test_seeded_by_the_mean_of_the_first_n():
    k = 2.0 / 3.0
    assert ema([2.0, 4.0, 5.0, 9.0], 2) == [[3.0, 5.0 * k + 3.0 * (1 - k),
                                            9.0 * k + (5.0 * k + 3.0 * (1 - k)) * (1 - k)]]


def test_nulls_repeat_the_average_and_an_all_null_seed_waits():
    assert ema([None, 2, None, 4], 2, pl.Int64) == [[2.0, 2.0, 4 * 2 / 3 + 2 * (1 - 2 / 3)]]
    assert ema([None, None, None, 6, None], 2, pl.Int64) == [[None, None, 6.0, 6.0]]


def test_a_short_table_gives_the_mean_of_its_values():
    assert ema([1, 2], 5, pl.Int64) == [[1.5]]
    assert ema([None], 3, pl.Int64) == [[None]]


def test_interleaved_tables():
    assert ema([1, 10, 3, 30, 5], 2, pl.Int64, ["a", "b", "a", "b", "a"]) == [
        [2.0, 5 * 2 / 3 + 2.0 * (1 - 2 / 3)], [20.0]]


def trix(values, n):
    frame = pl.DataFrame({"k": ["a"] * len(values), "_value": values})
    out = run_triple_exponential_derivative(
        bare_context(), TripleExponentialDerivative(None, n),  # type: ignore[arg-type]
        [TableStream.of(frame, ["k"])])
    return column_lists(out, "_value")


def test_triple_exponential_derivative_is_upstreams_to_the_bit():
    (got,) = trix(UP_DOWN, 4)
    assert got[:3] == [18.181818181818187, 15.384615384615374, 13.33333333333333]
    assert got[7:9] == [3.0392222148231784, 0.716067574030288]
    assert len(got) == len(UP_DOWN) - 3 * 3 - 1


def test_triple_exponential_derivative_of_a_short_table_is_one_null_row():
    assert trix([1, 2, 3], 3) == [[None]]
    assert trix(list(range(7)), 3) == [[]]


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"m,host=a v={v}i {T0 + i * S}" for i, v in enumerate(UP_DOWN)])


def test_triple_and_double_ema_are_written_in_flux(engine):
    (table,) = both(engine, RANGE + " |> tripleEMA(n: 4)")
    assert table[2][5:7] == [15.0, 14.431999999999995] and table[2][-1] == 0.9736696408637426
    (double,) = both(engine, RANGE + " |> limit(n: 4) |> doubleEMA(n: 2)")
    assert double[1] == ["_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]
    assert len(double[2]) == 2
