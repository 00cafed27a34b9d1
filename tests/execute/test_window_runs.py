"""window_runs: aggregateWindow's NumPy path agrees with a Polars group_by on (table, window),
with sums added in row order as Go adds them."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from tsengine.execute.windows import INDEX, START, STOP, WindowSpec
from tsengine.flux.values import Duration
from tsengine.stdlib.universe.window_runs import window_runs, with_empty_windows

MINUTE = 60_000_000_000
SPEC = WindowSpec(Duration(0, 10 * MINUTE), Duration(0, 10 * MINUTE))
BOUNDS = (0, 120 * MINUTE)


def _rows(seed: int, dtype: pl.DataType, nulls: bool) -> pl.DataFrame:
    """Tables 0..4, each one run of rows in time order, times within BOUNDS."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(1, 60, 5)
    table = np.repeat(np.arange(5), sizes)
    time = np.concatenate([np.sort(rng.choice(120 * MINUTE, s, replace=False)) for s in sizes])
    if dtype == pl.Float64:
        values = pl.Series("_value", rng.normal(0, 1e6, len(time)) * 10.0 ** rng.integers(
            -5, 5, len(time)))
    else:
        integers = pl.Series("_value", rng.integers(-1000, 1000, len(time)))
        values = integers.cast(dtype, wrap_numerical=True)
    if nulls:
        values = values.scatter(np.flatnonzero(rng.random(len(time)) < 0.3), None)
    return pl.DataFrame({"t": table, "time": time}).with_columns(values)


def _expected(rows: pl.DataFrame, fn: str) -> pl.DataFrame:
    """The per-window value by a group_by, sums one value after another (cum_sum)."""
    v = pl.col("_value")
    value = {"count": v.len().cast(pl.Int64).alias("_value"),  # rows, nulls too
             "sum": pl.when(v.count() > 0).then(v.fill_null(0).cum_sum().last()),
             "mean": pl.when(v.count() > 0).then(
                 v.fill_null(0).cum_sum().last().cast(pl.Float64) / v.count()),
             "min": v.min(), "max": v.max(), "first": v.first(), "last": v.last()}[fn]
    index = (pl.col("time") // (10 * MINUTE)).alias(INDEX)
    return (rows.group_by("t", index, maintain_order=True).agg(value)
            .with_columns((pl.col(INDEX) * 10 * MINUTE).alias(START),
                          (pl.col(INDEX) * 10 * MINUTE + 10 * MINUTE).alias(STOP)))


@pytest.mark.parametrize("fn", ["count", "sum", "mean", "min", "max", "first", "last"])
@pytest.mark.parametrize("dtype", [pl.Float64, pl.Int64, pl.UInt64])
@pytest.mark.parametrize("nulls", [False, True])
def test_window_runs_match_a_group_by(fn: str, dtype: pl.DataType, nulls: bool) -> None:
    for seed in range(5):
        rows = _rows(seed, dtype, nulls)
        value_dtype = pl.Int64 if fn == "count" else pl.Float64 if fn == "mean" else dtype
        runs = window_runs(fn, SPEC, rows["t"].to_numpy(), rows["time"].to_numpy(),
                           rows["_value"], BOUNDS, value_dtype)
        if nulls and fn in ("first", "last", "min", "max"):
            assert runs is None  # storage drops null cells before; nulls go the general way
            continue
        assert runs is not None
        got = pl.DataFrame([runs.pop("table").alias("t"), *runs.values()])
        want = _expected(rows, fn).select("t", INDEX, START, STOP,
                                          pl.col("_value").cast(value_dtype))
        assert got.columns == want.columns
        assert got.to_dict(as_series=False) == want.to_dict(as_series=False)


def test_window_runs_clip_windows_to_the_bounds() -> None:
    rows = pl.DataFrame({"t": [0, 0, 1], "time": [5 * MINUTE, 12 * MINUTE, 29 * MINUTE],
                         "_value": [1.0, 2.0, 4.0]})
    runs = window_runs("sum", SPEC, rows["t"].to_numpy(), rows["time"].to_numpy(),
                       rows["_value"], (3 * MINUTE, 25 * MINUTE + 1), pl.Float64)
    assert runs is None  # a row at 29m lies outside the bounds: the general path's case
    runs = window_runs("sum", SPEC, rows["t"].to_numpy(), rows["time"].to_numpy(),
                       rows["_value"], (3 * MINUTE, 30 * MINUTE - 1), pl.Float64)
    assert runs is not None
    assert runs[START].to_list() == [3 * MINUTE, 10 * MINUTE, 20 * MINUTE]
    assert runs[STOP].to_list() == [10 * MINUTE, 20 * MINUTE, 30 * MINUTE - 1]
    assert runs["_value"].to_list() == [1.0, 2.0, 4.0]


def test_window_runs_leave_nan_extremes_and_other_windows_to_the_general_path() -> None:
    rows = pl.DataFrame({"t": [0, 0], "time": [MINUTE, 2 * MINUTE], "_value": [1.0, np.nan]})
    args = (rows["t"].to_numpy(), rows["time"].to_numpy(), rows["_value"], BOUNDS, pl.Float64)
    assert window_runs("max", SPEC, *args) is None
    assert window_runs("sum", SPEC, *args) is not None
    sliding = WindowSpec(Duration(0, 10 * MINUTE), Duration(0, 20 * MINUTE))
    assert window_runs("sum", sliding, *args) is None


def test_empty_windows_fill_every_table_and_window_of_the_range() -> None:
    rows = pl.DataFrame({"t": [7, 7, 3], "time": [5 * MINUTE, 12 * MINUTE, 25 * MINUTE],
                         "_value": [1.0, None, 4.0]})
    bounds = (3 * MINUTE, 30 * MINUTE - 1)
    for fn, empty in (("count", 0), ("sum", None)):
        dtype = pl.Int64 if fn == "count" else pl.Float64
        runs = window_runs(fn, SPEC, rows["t"].to_numpy(), rows["time"].to_numpy(),
                           rows["_value"], bounds, dtype)
        assert runs is not None
        filled = with_empty_windows(runs, np.array([3, 7, 9]), fn, SPEC, bounds)
        assert filled["table"].to_list() == [3, 3, 3, 7, 7, 7, 9, 9, 9]
        assert filled[INDEX].to_list() == [0, 1, 2] * 3
        assert filled[START].to_list() == [3 * MINUTE, 10 * MINUTE, 20 * MINUTE] * 3
        assert filled[STOP].to_list() == [10 * MINUTE, 20 * MINUTE, 30 * MINUTE - 1] * 3
        present = {"count": [1, 1], "sum": [1.0, None]}[fn]  # table 7's windows 0 and 1
        assert filled["_value"].to_list() == [empty, empty, {"count": 1, "sum": 4.0}[fn],
                                              *present, empty, empty, empty, empty]
