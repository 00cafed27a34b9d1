"""Per-table evaluation over a frame of many tables: partition by the group key.

A `TableFrame` holds every table of one schema; a per-table computation is a Polars
window (`over`) or `group_by` on the key columns, never a loop over tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl
from numpy.lib.stride_tricks import sliding_window_view


def over(expr: pl.Expr, key: Sequence[str]) -> pl.Expr:
    """`expr` evaluated within each table (the whole frame when the key is empty)."""
    return expr.over(list(key)) if key else expr


def row_index(key: Sequence[str], name: str = "\0row") -> pl.Expr:
    """Each row's position within its table, from 0."""
    return over(pl.int_range(pl.len(), dtype=pl.Int64), key).alias(name)


def aggregate(frame: pl.DataFrame, key: Sequence[str], aggs: Sequence[pl.Expr]) -> pl.DataFrame:
    """One row per table that has rows: the key columns, then `aggs`, tables in frame order."""
    if not key:
        return frame.select(aggs) if frame.height else frame.select(aggs).head(0)
    return frame.group_by(list(key), maintain_order=True).agg(aggs)


def run_starts(frame: pl.DataFrame, names: Sequence[str]) -> pl.Series:
    """True on each row whose key values differ from the row before's (and on the first row):
    where a run of one table's rows starts."""
    first = pl.int_range(pl.len()) == 0
    if not names:
        return frame.select(first.alias("\0start")).to_series()
    changed = pl.any_horizontal(pl.col(c).ne_missing(pl.col(c).shift()) for c in names)
    return frame.select((changed.fill_null(True) | first).alias("\0start")).to_series()


def changes(values: pl.Series) -> pl.Series:
    """True where a value differs from the one before it, and on the first row: where runs of
    equal values (a table's id, a series' number) start."""
    return values.ne(values.shift()).fill_null(True)


def runs_are_tables(frame: pl.DataFrame, names: Sequence[str], starts: pl.Series) -> bool:
    """Whether each table's rows are one run: no two runs share key values (checked on the
    first row of each run, so it costs little)."""
    return not frame.select(names).filter(starts).is_duplicated().any()


def table_ids(frame: pl.DataFrame, key: Sequence[str], name: str = "\0table",
              starts: pl.Series | None = None) -> tuple[pl.Series, pl.DataFrame]:
    """A small integer per row naming its table, so per-table work can group on one integer
    column instead of the key's columns (strings, mostly); and the tables, one row each: the
    id (column `name`) and the key columns, in order of first appearance.

    Rows of a table are usually contiguous (storage reads keep them so), and then the id is
    the run number and a table's row its run's first, found in one pass; otherwise the id is
    the dense rank of the key values among the runs' first rows. `starts`: the run starts,
    when the caller knows them more cheaply than by comparing the key columns.
    """
    names = list(key)
    if not names or not frame.height:
        ids = pl.Series(name, [0] * frame.height, dtype=pl.Int64)
        firsts = pl.DataFrame([pl.Series(name, [0] * min(frame.height, 1), dtype=pl.Int64),
                               *frame.select(names).head(1)])
        return ids, firsts
    if starts is None:
        starts = run_starts(frame, names)
    runs = starts.cast(pl.Int64).cum_sum() - 1
    firsts = frame.select(names).gather(starts.arg_true())
    if not firsts.is_duplicated().any():
        return runs.alias(name), firsts.select(
            pl.int_range(pl.len(), dtype=pl.Int64).alias(name), *names)
    # some table's rows form several runs: rank the runs' keys (few), not the rows' keys
    ranks = firsts.select((pl.struct(names).rank("dense").cast(pl.Int64) - 1).alias(name))
    ids = ranks.to_series().gather(runs).alias(name)
    tables = (firsts.with_columns(ranks.to_series())
              .unique(name, keep="first", maintain_order=True).select(name, *names))
    return ids, tables


def numbered_tables(frame: pl.DataFrame, key: Sequence[str], numbers: pl.Series,
                    name: str = "\0table", distinct: bool = False
                    ) -> tuple[pl.Series, pl.DataFrame] | None:
    """`numbers` as table ids (as `table_ids` gives them) when each of their runs is a
    whole table: numbers the caller has (storage's series numbers), equal on the rows of a
    run and different between runs, so no key column is compared per row. None when some
    table has several runs (a series read from several days' files); `distinct`: the caller
    knows no two runs are one table."""
    names = list(key)
    if not names:
        return None
    positions = change_positions(numbers)
    firsts = frame[names][positions]  # indexing, not gather(): no query plan to run
    return run_tables(numbers, positions, firsts, name, distinct)


def run_tables(numbers: pl.Series, positions: np.ndarray, firsts: pl.DataFrame, name: str,
               distinct: bool) -> tuple[pl.Series, pl.DataFrame] | None:
    """numbered_tables from the runs' starts (`positions`) and key rows (`firsts`), for a
    caller that has them from elsewhere (a table of series)."""
    if not distinct and firsts.is_duplicated().any():
        return None
    ids = pl.Series(name, numbers.to_numpy()[positions])
    return numbers.alias(name), pl.DataFrame([ids, *firsts])


def change_positions(values: pl.Series | np.ndarray) -> np.ndarray:
    """The positions where a value differs from the one before it, and 0 (as `changes`, for
    numbers without nulls, in NumPy: no Polars call)."""
    array = values if isinstance(values, np.ndarray) else values.to_numpy()
    if not len(array):
        return np.empty(0, dtype=np.int64)
    return np.concatenate(([0], np.flatnonzero(array[1:] != array[:-1]) + 1))


def sequential_sums(values: pl.Series, starts: pl.Series) -> pl.Series | None:
    """The sum of each run of floats (runs are contiguous, starting at the row positions
    `starts`), each added one after another from 0 as Go's loops add them: Polars' grouped
    sum adds in another order, which can change a float's last digit. A null adds nothing.

    Vectorized across runs: the runs become the rows of a matrix (padded with zeros, which
    add nothing), summed by a cumulative sum along each row, which is sequential by nature.
    Where that matrix would be too large (runs of very uneven lengths), step p adds every
    run's p-th value at once (runs ordered longest first, so the runs still going are a
    prefix); None when the runs are too long for steps too.
    """
    if values.null_count():
        values = values.fill_null(0.0)
    flat = values.cast(pl.Float64).to_numpy()
    first = starts.cast(pl.Int64).to_numpy()
    n, runs = len(flat), len(first)
    if not runs:
        return pl.Series(values.name, [], dtype=pl.Float64)
    lengths = np.diff(first, append=n)
    width = int(lengths.max())
    with np.errstate(over="ignore", invalid="ignore"):  # inf and NaN are results, as in Go
        if (lengths == width).all():
            sums = row_sums(flat.reshape(runs, width))
        elif runs * width > 4 * n and width <= _STEPPED_WIDTH:
            sums = _stepped_sums(flat, first, lengths, width)
        elif runs * width <= 4 * n:
            sums = row_sums(_run_matrix(flat, first, lengths, width))
        else:
            return None
        # + 0.0: Go's sum starts from +0, so all -0.0 values sum to +0
        return pl.Series(values.name, sums + 0.0)


_STEPPED_WIDTH = 1024  # longest run summed step by step (each step a few array operations)
_COLUMN_LOOP_WIDTH = 256  # widest matrix summed column by column (else by a cumulative sum)


def _run_matrix(flat: np.ndarray, first: np.ndarray, lengths: np.ndarray, width: int
                ) -> np.ndarray:
    """The runs as the rows of a matrix, each padded with zeros to `width`: rows copied from
    a sliding window over the values (a block copy each), the cells past a short run's end
    (the next run's values) zeroed."""
    padded = np.concatenate((flat, np.zeros(width)))
    matrix = sliding_window_view(padded, width)[first]
    short = np.flatnonzero(lengths < width)
    if len(short):
        rows, cols = np.nonzero(np.arange(width) >= lengths[short][:, None])
        matrix[short[rows], cols] = 0.0
    return matrix


def row_sums(matrix: np.ndarray, initial: np.ndarray | None = None) -> np.ndarray:
    """Each row's values (along the last axis) added one after another to `initial` (else
    +0), as Go's loop adds them: column by column into one accumulator per row (narrow
    matrices: a few hundred small additions), else a cumulative sum along the rows
    (sequential by nature), taken a block of columns at a time so that no copy of the whole
    matrix is made (each block is copied, as the sum so far is added into its first column)."""
    lead, width = matrix.shape[:-1], matrix.shape[-1]
    acc = np.zeros(lead) if initial is None else np.array(initial, dtype=np.float64)
    if width <= _COLUMN_LOOP_WIDTH:
        # a band of rows at a time, small enough to stay in cache across its columns
        flat, sums = matrix.reshape(-1, width), acc.reshape(-1)
        band = max(1, _BAND_CELLS // width)
        for lo in range(0, len(flat), band):
            rows, into = flat[lo:lo + band], sums[lo:lo + band]
            for j in range(width):
                into += rows[:, j]
        return acc
    step = max(_COLUMN_LOOP_WIDTH, _BLOCK_CELLS // max(acc.size, 1))
    out = np.empty((*lead, min(step, width)))
    block = np.empty((*lead, min(step, width)))
    for lo in range(0, width, step):
        part = matrix[..., lo:lo + step]
        n = part.shape[-1]
        block[..., :n] = part
        part = block[..., :n]
        part[..., 0] += acc  # the sum so far is where the block's additions start
        np.add.accumulate(part, axis=-1, out=out[..., :n])
        acc = out[..., n - 1].copy()
    return acc


_BLOCK_CELLS = 1 << 20  # cells of a block of row_sums' cumulative sum (8 MiB)
_BAND_CELLS = 1 << 17  # cells of a band of rows that row_sums adds column by column (1 MiB)


def _stepped_sums(flat: np.ndarray, first: np.ndarray, lengths: np.ndarray, width: int
                  ) -> np.ndarray:
    order = np.argsort(-lengths, kind="stable")
    starts, negated = first[order], -lengths[order]  # negated lengths ascend
    # going[p]: how many runs (a prefix of `order`) have a p-th value
    going = np.searchsorted(negated, -np.arange(1, width + 1), side="right")
    acc = np.zeros(len(starts))
    for p, count in enumerate(going.tolist()):
        acc[:count] += flat[starts[:count] + p]
    sums = np.empty_like(acc)
    sums[order] = acc
    return sums


def run_counts(flags: pl.Series, starts: pl.Series) -> pl.Series:
    """How many rows of each run (contiguous, starting at the row positions `starts`) are
    flagged true."""
    if not len(starts):
        return pl.Series(flags.name, [], dtype=pl.Int64)
    ones = flags.cast(pl.Int64).to_numpy()
    return pl.Series(flags.name, np.add.reduceat(ones, starts.cast(pl.Int64).to_numpy()))
