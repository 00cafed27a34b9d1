"""aggregateWindow's common case on NumPy arrays: windows numbered by one division.

When each table's rows are one run in time order (a storage read's are, or they were sorted
so) and windows are `every == period` on the UTC clock, the rows of one window of one table
are a contiguous run too, and every window's value is a reduction over a slice: a few
`reduceat`s, or sums stepped in Go's order. That is a handful of array operations whatever
the number of tables and windows, where each Polars call costs a fixed dispatch that, for a
small query (one location's series), was most of its time.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

from tsengine.execute import pertable
from tsengine.execute.windows import INDEX, START, STOP, Bounds, WindowSpec

REDUCE = {"min": np.minimum, "max": np.maximum}
SELECTORS = ("first", "last", "min", "max")


def numbered_by_division(spec: WindowSpec) -> bool:
    """Whether a row's window is `(time - zero) // every` and holds nothing else's rows:
    every == period, nanoseconds on the UTC clock, not negative."""
    return spec.closed_form() and spec.every == spec.period and not spec.every.negative


def window_runs(fn: str, spec: WindowSpec, table: np.ndarray, time: np.ndarray,
                values: pl.Series, bounds: Bounds, dtype: pl.DataType
                ) -> dict[str, pl.Series] | None:
    """One entry per (table, window) that holds rows, in row order: `table` (the ids), INDEX,
    START, STOP (clipped to the query bounds) and the value (as `values`' name, of `dtype`).

    `table` and `time` (ns) are per row, each table's rows one run in time order. None when
    this case does not apply (windows not numbered by division, rows outside the bounds,
    NaN for min/max or nulls for a selector (storage drops null cells before), or float runs
    too uneven to sum in order): the caller then takes the general path.
    """
    n = len(time)
    if not n or not numbered_by_division(spec) or \
            (fn in SELECTORS and values.null_count()):
        return None
    lo, hi = bounds
    if time.min() < lo or time.max() >= hi:
        return None
    every = spec.every.nanoseconds
    index = (time - spec.zero) // every
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.not_equal(table[1:], table[:-1], out=new[1:])
    new[1:] |= index[1:] != index[:-1]
    positions = np.flatnonzero(new)
    value = _run_values(fn, values, positions, n)
    if value is None:
        return None
    window = index[positions]
    begins = spec.zero + window * every
    return {"table": pl.Series(table[positions]),
            INDEX: pl.Series(INDEX, window),
            START: pl.Series(START, np.maximum(begins, lo)),
            STOP: pl.Series(STOP, np.minimum(begins + every, hi)),
            values.name: value.cast(dtype).alias(values.name)}


def with_empty_windows(runs: dict[str, pl.Series], tables: np.ndarray, fn: str,
                       spec: WindowSpec, bounds: Bounds) -> dict[str, pl.Series]:
    """`runs` (as `window_runs` gives them) with an entry for every window of the range and
    every table of `tables` (ids): count 0 or null where a table has no rows in a window
    (upstream's createEmpty), tables in the order of `tables`, each's windows in time order."""
    lo, hi = bounds
    every = spec.every.nanoseconds
    first, last = (lo - spec.zero) // every, (hi - 1 - spec.zero) // every
    width = last - first + 1
    if len(runs[INDEX]) == len(tables) * width:  # each table has each window already
        return runs
    order = np.argsort(tables, kind="stable")
    row = order[np.searchsorted(tables[order], runs["table"].to_numpy())]
    slots = row * width + (runs[INDEX].to_numpy() - first)
    window = np.tile(np.arange(first, last + 1, dtype=np.int64), len(tables))
    begins = spec.zero + window * every
    (name, values), = ((k, v) for k, v in runs.items() if k not in ("table", INDEX, START, STOP))
    return {"table": pl.Series(np.repeat(tables, width)),
            INDEX: pl.Series(INDEX, window),
            START: pl.Series(START, np.maximum(begins, lo)),
            STOP: pl.Series(STOP, np.minimum(begins + every, hi)),
            name: _scattered(values, slots, len(window), fn == "count")}


def _scattered(values: pl.Series, slots: np.ndarray, n: int, zero: bool) -> pl.Series:
    """`values` at positions `slots` of a column of n, 0 (`zero`) or null elsewhere: for
    numbers by NumPy and an Arrow validity mask (no Polars call), else by Polars."""
    if not values.dtype.is_numeric():
        return pl.Series(values.name, dtype=values.dtype).extend_constant(None, n) \
            .scatter(slots, values)
    data = values.fill_null(0).to_numpy() if values.null_count() else values.to_numpy()
    array = np.zeros(n, dtype=data.dtype)
    array[slots] = data
    if zero:
        return pl.Series(values.name, array)
    missing = np.ones(n, dtype=bool)
    missing[slots] = values.is_null().to_numpy() if values.null_count() else False
    return pl.Series(values.name, pa.array(array, mask=missing))


def _run_values(fn: str, values: pl.Series, positions: np.ndarray, n: int) -> pl.Series | None:
    """The value of each run (runs start at `positions`, the last ends at row n), as upstream
    computes a window's: sums one value after another (a null adds nothing; a run of nulls
    only has no sum), counts of rows (nulls too), or the chosen value."""
    lengths = np.diff(positions, append=n)
    if fn == "first":
        return values.gather(positions)
    if fn == "last":
        return values.gather(positions + lengths - 1)
    if fn == "count":  # rows, nulls included, as upstream's count
        return pl.Series(lengths)
    if values.null_count():
        lengths = np.add.reduceat(values.is_not_null().to_numpy(), positions).astype(np.int64)
    if fn in REDUCE:
        array = values.to_numpy()
        if values.dtype.is_float() and np.isnan(array).any():
            return None  # NaN ordering is the general path's
        return pl.Series(REDUCE[fn].reduceat(array, positions))
    if values.dtype == pl.Float64:
        sums = pertable.sequential_sums(values, pl.Series(positions))
        if sums is None:
            return None
        total = sums.to_numpy()
    else:  # integers add up to the same (wrapping) sum in any order
        total = np.add.reduceat(values.fill_null(0).to_numpy(), positions)
    if fn == "mean":
        with np.errstate(invalid="ignore", divide="ignore"):
            total = total.astype(np.float64) / lengths
    result = pl.Series(total)
    valueless = np.flatnonzero(lengths == 0)
    return result.scatter(valueless, None) if len(valueless) else result
