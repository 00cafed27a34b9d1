"""`group(columns: tags) |> aggregateWindow(fn: count|sum|mean)` from the stored wide rows.

The plain plan's group table holds its series' tables one after another, in table order
(field, measurement, then tag values by tag name), each in time order; aggregateWindow sorts
it by time (stably) and adds each window's values in that order. Here the rows of every
field are stacked in table order, each series one run, and float sums and means whose times
lie on a coarse grid are added in that sequence by slot_grid without a sort; otherwise one
stable sort by (group, time) gives the same sequence, with no long tables built, merged or
ranked. Anything else (a listed column that is not a tag of every measurement, a series
without one of the tags, fields of several types, a type the function does not take, a day
stored in several files, whose series have a run in each) runs the plain plan.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl

from storage import WideRead
from tsengine.execute import pertable, slot_grid
from tsengine.execute.aggregate_read import (
    ACCEPTS,
    run_batches,
    scan_wide,
    series_numbers,
    tag_nulls,
)
from tsengine.execute.executor import ExecContext, execute, implements
from tsengine.execute.table import TIME_DTYPE, TableStream
from tsengine.execute.windows import INDEX, START, STOP
from tsengine.plan.nodes import PlanNode, StorageGroupWindow


@implements(StorageGroupWindow)
def read_group_window(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]
                      ) -> TableStream:
    from tsengine.stdlib.universe.aggregate_window import TABLE, native_windows

    assert isinstance(node, StorageGroupWindow)
    read, columns = node.read, list(node.columns)
    window: Any = node.window  # an AggregateWindowNative (the stdlib imports this module)
    # only the group's tags, as a table of the numbered series where storage can
    wide = scan_wide(ctx, read, tags=columns, tags_by_series=True)
    types = {t for w in wide for t in w.fields.values()}
    if len(types) > 1 or not types <= ACCEPTS[window.fn] \
            or any(not set(columns) <= set(w.tags) or not w.one_file_per_day for w in wide):
        # (with two files in a day, a series has two runs there: ranks are not run order)
        return execute(ctx, node.fallback)
    pieces: list[_Piece] = []
    series: list[tuple[int, np.ndarray]] = []  # per batch: its read, its runs' series numbers
    known = [np.empty(0, np.int64) if w.series_tags is None else  # each read's, ascending
             w.series_tags.get_column(WideRead.SERIES_COLUMN).to_numpy() for w in wide]
    for r, w in enumerate(wide):
        # batches of whole runs: what is kept of each is its times and values (all of them:
        # larger batches than other reads', fewer steps for ~40 MB more)
        for rows in run_batches(w, scale=2):
            if series_numbers(w, rows) is None or tag_nulls(w, rows):
                return execute(ctx, node.fallback)  # rows of the hot tier: series not in order
            runs, numbers = _series_runs(rows.get_column(WideRead.SERIES_COLUMN), known[r])
            series.append((r, numbers))
            # one chunk per column (Polars copies them in parallel): NumPy reads them in place
            numeric = rows.select("time", *(f"f:{f}" for f in w.fields)).rechunk()
            for field in w.fields:
                pieces.append(_Piece((field, w.measurement), len(series) - 1, runs,
                                     numeric.get_column("time"),
                                     numeric.get_column(f"f:{field}").alias(window.column)))
    # the plain plan's table order: field, then measurement; a piece's batches in read order
    pieces.sort(key=lambda p: p.order)
    tables, ids = _group_ids(wide, known, series, columns, TABLE)
    points = sum(p.points for p in pieces)
    if not points:
        return TableStream([])
    ctx.counts["points_read"] += points
    key = ("_start", "_stop", *columns)
    tables = tables.with_columns(pl.lit(read.start).cast(TIME_DTYPE).alias("_start"),
                                 pl.lit(read.stop).cast(TIME_DTYPE).alias("_stop"))
    bounds = (read.start, read.stop)
    runs = _runs_on_grid(window, pieces, ids, tables.height, bounds)
    if runs is not None:
        frame = native_windows(window, None, tables.select(TABLE, *key), key, pl.Float64(),
                               bounds, runs=runs)
        return TableStream([frame])
    rows = pl.concat([p.rows(ids) for p in pieces], how="vertical")
    rows = _in_group_and_time_order(rows, TABLE)
    frame = native_windows(window, rows, tables.select(TABLE, *key), key,
                           rows.schema[window.column], bounds, in_order=True)
    return TableStream([frame])


def _series_runs(numbers: pl.Series, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each series' run starts, and its number. Storage's numbers ascend through a read
    (WideRead.numbered), so a binary search finds each of the read's `known` numbers that fall
    in the batch, instead of a comparison of every row with the one before."""
    if not len(numbers):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    lo, hi = np.searchsorted(known, [numbers[0], numbers[-1]], side="left")
    candidates = pl.Series(known[lo:hi + 1])
    at = numbers.search_sorted(candidates, side="left")
    inside = (at < len(numbers)).to_numpy()
    at, candidates = at.filter(inside), candidates.filter(inside)
    # a known number with no row in this batch finds the next one's row: not a run here
    here = (numbers.gather(at) == candidates).to_numpy()
    return at.to_numpy()[here].astype(np.int64), candidates.to_numpy()[here]


class _Piece:
    """One field of one measurement's rows of a batch: its place in table order, the batch
    (whose group ids it takes), where its series' runs start, its times and values."""

    def __init__(self, order: tuple[str, str], batch: int, runs: np.ndarray, time: pl.Series,
                 values: pl.Series) -> None:
        self.order, self.batch, self.runs = order, batch, runs
        self.time, self.values = time, values
        self.points = len(values) - values.null_count()

    def run_of_rows(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.runs)), np.diff(self.runs, append=len(self.time)))

    def rows(self, ids: list[np.ndarray]) -> pl.DataFrame:
        """TABLE (the group id), `\0t` and the value of each row that has one."""
        from tsengine.stdlib.universe.aggregate_window import TABLE

        groups = ids[self.batch][self.run_of_rows()]
        part = pl.DataFrame([pl.Series(TABLE, groups), self.time.alias("\0t"), self.values])
        return part.drop_nulls(self.values.name)

    def grid_part(self, ids: list[np.ndarray]) -> slot_grid.Part:
        """The rows that have a value as slot_grid takes them."""
        time, values = self.time.to_numpy(), self.values.to_numpy()
        runs, groups = self.runs, ids[self.batch]
        if self.values.null_count():
            kept = self.values.is_not_null().to_numpy()
            run = self.run_of_rows()[kept]
            time, values = time[kept], values[kept]
            runs = pertable.change_positions(pl.Series(run))
            groups = groups[run[runs]]
        return slot_grid.Part(time, values, runs, groups)


def _runs_on_grid(window: Any, pieces: list[_Piece], ids: list[np.ndarray], groups: int,
                  bounds: tuple[int, int]) -> dict[str, pl.Series] | None:
    """The windows' float sums or means (as window_runs gives them) by slot_grid, when it
    applies: windows numbered by division, float values."""
    from tsengine.stdlib.universe.window_runs import numbered_by_division

    if window.fn not in ("sum", "mean") or not numbered_by_division(window.spec) or \
            any(p.values.dtype != pl.Float64 for p in pieces):
        return None
    every, zero = window.spec.every.nanoseconds, window.spec.zero
    found = slot_grid.window_sums([p.grid_part(ids) for p in pieces], groups, zero, every)
    if found is None:
        return None
    lo, hi = bounds
    begins = zero + found.window * every
    with np.errstate(invalid="ignore"):
        value = found.sums / found.counts if window.fn == "mean" else found.sums
    return {"table": pl.Series(found.group),
            INDEX: pl.Series(INDEX, found.window),
            START: pl.Series(START, np.maximum(begins, lo)),
            STOP: pl.Series(STOP, np.minimum(begins + every, hi)),
            window.column: pl.Series(window.column, value)}


def _group_ids(wide: list[WideRead], known: list[np.ndarray],
               series: list[tuple[int, np.ndarray]], columns: list[str], name: str
               ) -> tuple[pl.DataFrame, list[np.ndarray]]:
    """The groups (`name`, the id, and the group columns), and for each batch the group id of
    each of its runs (`series`: per batch, which of `wide` it was read from and its runs'
    series numbers, whose group columns that read's table of series holds, its numbers
    `known`). Without group columns all are group 0."""
    if not columns:
        return pl.DataFrame({name: [0]}), [np.zeros(len(n), np.int64) for _, n in series]
    keys = []  # one gather of a read's table of series for all its batches (in read order)
    for r, w in enumerate(wide):
        numbers = [n for read, n in series if read == r]
        if numbers:
            assert w.series_tags is not None  # numbered rows (series_numbers) have one
            keys.append(w.series_tags.select(columns)[
                np.searchsorted(known[r], np.concatenate(numbers))])
    ids, tables = pertable.table_ids(pl.concat(keys, how="vertical"), columns, name)
    cuts = np.cumsum([0, *(len(n) for _, n in series)])
    flat = ids.to_numpy()
    return tables, [flat[lo:hi] for lo, hi in zip(cuts[:-1], cuts[1:], strict=True)]


def _in_group_and_time_order(rows: pl.DataFrame, name: str) -> pl.DataFrame:
    """`rows` (group id `name`, time `\0t`, values; no nulls) sorted by group, then time,
    stably. Numeric columns are reordered by NumPy (several times cheaper than a frame's
    gather here) and the group ids rebuilt from their counts, which the order makes runs."""
    group, time = rows.get_column(name), rows.get_column("\0t")
    order = _by_group_and_time(group, time)
    values = rows.get_column(rows.columns[2])
    if not (values.dtype.is_numeric() or values.dtype == pl.Boolean):
        return rows[order]  # indexing: no query plan, unlike gather()
    counts = np.bincount(group.to_numpy())
    return pl.DataFrame([
        pl.Series(name, np.repeat(np.arange(len(counts)), counts), dtype=group.dtype),
        pl.Series("\0t", time.to_numpy()[order], dtype=time.dtype),
        pl.Series(values.name, values.to_numpy()[order], dtype=values.dtype)])


def _by_group_and_time(group: pl.Series, time: pl.Series) -> np.ndarray:
    """The row order by group, then time, rows of equal both in their present order: one
    stable sort of a combined integer key where it fits in 63 bits."""
    t = time.to_numpy()
    lo, hi = int(t.min()), int(t.max())
    span, groups = hi - lo + 1, int(group.max()) + 1
    if groups * span < 2**62:
        return np.argsort(group.to_numpy() * span + (t - lo), kind="stable")
    frame = pl.DataFrame([group.alias("g"), time.alias("t")]).with_row_index("i")
    return frame.sort(["g", "t"], maintain_order=True).get_column("i").to_numpy()
