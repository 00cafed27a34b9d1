"""Per-table helpers: sums of runs added as Go adds them, counts per run."""

from __future__ import annotations

import math

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsengine.execute.pertable import run_counts, sequential_sums


def _go_sum(values: list[float | None]) -> float:
    total = 0.0
    for v in values:
        if v is not None:
            total += v
    return total


@given(st.lists(st.lists(st.one_of(st.none(), st.floats(allow_nan=False, width=64)),
                         min_size=1, max_size=12), min_size=1, max_size=20))
def test_run_sums_add_one_value_after_another(runs: list[list[float | None]]):
    flat = [v for run in runs for v in run]
    starts = pl.Series([0, *[sum(len(r) for r in runs[:i]) for i in range(1, len(runs))]])
    sums = sequential_sums(pl.Series(flat, dtype=pl.Float64), starts)
    assert sums is not None
    for got, run in zip(sums.to_list(), runs, strict=True):
        want = _go_sum(run)
        assert got == want or (math.isnan(got) and math.isnan(want))
        assert math.copysign(1, got) == math.copysign(1, want) or math.isnan(want)


def test_order_matters_and_is_kept():
    # in sequence 1e16 + 1.0 rounds back to 1e16, so the run sums to 1.0; other orders differ
    values = pl.Series([1e16, 1.0, -1e16, 1.0, 3.0])
    sums = sequential_sums(values, pl.Series([0, 4]))
    assert sums is not None
    assert sums.to_list() == [((1e16 + 1.0) - 1e16) + 1.0, 3.0]


def test_negative_zeros_sum_to_positive_zero_as_from_go():
    sums = sequential_sums(pl.Series([-0.0, -0.0, -0.0]), pl.Series([0, 1]))
    assert sums is not None and [math.copysign(1, v) for v in sums] == [1.0, 1.0]


def test_long_runs_of_one_length_sum_as_rows_of_a_matrix():
    values = pl.Series([0.1] * 4096)
    sums = sequential_sums(values, pl.Series([0, 2048]))
    assert sums is not None and sums.to_list() == [_go_sum([0.1] * 2048)] * 2


def test_very_uneven_runs_are_left_to_the_caller():
    values = pl.Series([1.0] * 100_000 + [2.0] * 10)
    assert sequential_sums(values, pl.Series([0, 100_000])).to_list() == [100_000.0, 20.0]
    assert sequential_sums(values, pl.Series([0] + list(range(100_000, 100_010)))) is None
    steps = pl.Series([1.0] * 1000 + [2.0] * 10)
    assert sequential_sums(steps, pl.Series([0] + list(range(1000, 1010)))).to_list() == \
        [1000.0] + [2.0] * 10


@pytest.mark.parametrize("flags,starts,want", [
    ([True, False, True, True], [0, 2], [1, 2]),
    ([False], [0], [0]),
    ([], [], []),
])
def test_run_counts(flags, starts, want):
    got = run_counts(pl.Series(flags, dtype=pl.Boolean), pl.Series(starts, dtype=pl.Int64))
    assert got.to_list() == want
