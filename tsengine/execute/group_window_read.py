"""`group(columns: tags) |> aggregateWindow(fn: count|sum|mean)` from the stored wide rows.

The plain plan's group table holds its series' tables one after another, in table order
(field, measurement, then tag values by tag name), each in time order; aggregateWindow sorts
it by time (stably) and adds each window's values in that order. Here the rows of every
field are stacked in table order, each series one run, and float sums and means whose times
lie on a coarse grid are added in that sequence by slot_grid without a sort (their values
held until placed, their times as each series' first time and step); otherwise one stable
sort by (group, time) gives the same sequence, with no long tables built, merged or ranked.
Anything else (a listed column that is not a tag of every measurement, a series without one
of the tags, fields of several types, a type the function does not take, a day stored in
several files, whose series have a run in each) runs the plain plan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from storage import WideRead
from storage.lineprotocol.model import FieldType
from tsengine.execute import pertable, slot_grid
from tsengine.execute.aggregate_read import (
    ACCEPTS,
    run_batches,
    scan_wide,
    series_numbers,
    tag_nulls,
)
from tsengine.execute.executor import ExecContext, execute, implements
from tsengine.execute.pertable import change_positions
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
    known = [np.empty(0, np.int64) if w.series_tags is None else  # each read's, ascending
             w.series_tags.get_column(WideRead.SERIES_COLUMN).to_numpy() for w in wide]
    key = ("_start", "_stop", *columns)
    bounds = (read.start, read.stop)
    on_grid = _windows_on_grid(ctx, wide, known, window, columns, bounds)
    if on_grid == PLAIN:
        return execute(ctx, node.fallback)
    if on_grid is not None:
        runs, tables = on_grid
        if tables is None:
            return TableStream([])
        frame = native_windows(window, None, _with_bounds(tables, bounds).select(TABLE, *key),
                               key, pl.Float64(), bounds, runs=runs)
        return TableStream([frame])
    pieces: list[_Piece] = []
    series: list[tuple[int, np.ndarray]] = []  # per batch: its read, its runs' series numbers
    for r, w in enumerate(wide):
        # batches of whole runs: what is kept of each is its times and values (all of them:
        # larger batches than other reads', fewer steps for ~40 MB more)
        for rows in run_batches(w, scale=2):
            if series_numbers(w, rows) is None or tag_nulls(w, rows):
                return execute(ctx, node.fallback)  # rows of the hot tier: series not in order
            # one chunk per column (Polars copies them in parallel): NumPy reads them in place
            numeric = _numeric(rows, w)
            runs, numbers = _series_runs(numeric.get_column(WideRead.SERIES_COLUMN), known[r])
            series.append((r, numbers))
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
    rows = pl.concat([p.rows(ids) for p in pieces], how="vertical")
    rows = _in_group_and_time_order(rows, TABLE)
    frame = native_windows(window, rows, _with_bounds(tables, bounds).select(TABLE, *key), key,
                           rows.schema[window.column], bounds, in_order=True)
    return TableStream([frame])


def _numeric(rows: pl.DataFrame, w: WideRead) -> pl.DataFrame:
    """The batch's times and fields, one chunk per column (Polars copies them in parallel):
    NumPy reads them in place; and its series numbers (as they are: read chunk by chunk)."""
    return rows.select("time", *(f"f:{f}" for f in w.fields)).rechunk().with_columns(
        rows.get_column(WideRead.SERIES_COLUMN))


def _with_bounds(tables: pl.DataFrame, bounds: tuple[int, int]) -> pl.DataFrame:
    return tables.with_columns(pl.lit(bounds[0]).cast(TIME_DTYPE).alias("_start"),
                               pl.lit(bounds[1]).cast(TIME_DTYPE).alias("_stop"))


PLAIN = "plain"  # _windows_on_grid's answer when only the plain plan can answer


def _windows_on_grid(ctx: ExecContext, wide: list[WideRead], known: list[np.ndarray],
                     window: Any, columns: list[str], bounds: tuple[int, int]
                     ) -> tuple[dict[str, pl.Series], pl.DataFrame | None] | str | None:
    """The windows' float sums or means (as window_runs gives them) and the groups (as
    _group_ids gives them; None when no rows) by slot_grid, for windows numbered by division
    over float fields of Parquet rows: a day's batches read and held compactly, then placed
    at once when the reading has passed the day (placing each batch as it comes keeps
    Polars' reading from using every core: a sixth slower). None when the grid declines (the
    rows are then read again and sorted), PLAIN when rows of the hot tier or series without
    a group column turn up."""
    from tsengine.stdlib.universe.aggregate_window import TABLE
    from tsengine.stdlib.universe.window_runs import numbered_by_division

    if window.fn not in ("sum", "mean") or not numbered_by_division(window.spec) or \
            any(t != FieldType.FLOAT for w in wide for t in w.fields.values()):
        return None
    if any(w.series_tags is None or not w.files for w in wide):
        return None  # (not numbered: the sorting path tells which plan)
    if any(tag_nulls(w, w.series_tags) for w in wide):  # type: ignore[arg-type]
        return PLAIN
    every, zero = window.spec.every.nanoseconds, window.spec.zero
    layout = _GridLayout.of(wide, known, columns, bounds)
    grid = slot_grid.GridSums.start(layout.groups, zero, every, *layout.span)
    if grid is None:
        return None
    series: list[tuple[int, np.ndarray]] = []  # per batch: its read, its runs' series numbers
    held: dict[int, list[tuple[int, slot_grid.Part]]] = {}  # per day: parts, held compactly
    points = 0
    for r, w in enumerate(wide):
        for rows in run_batches(w):
            if series_numbers(w, rows) is None:
                return PLAIN  # rows of the hot tier: series not in order
            numeric = _numeric(rows, w)
            starts, numbers = _series_runs(numeric.get_column(WideRead.SERIES_COLUMN), known[r])
            series.append((r, numbers))
            days = layout.parts_by_day(r, w, numeric, starts, numbers)
            for day, parts in days:
                # a new day is laid out on the grid of its first rows (or declined at once)
                if not grid.open(day, layout.days[day], [p for _, p in parts]):
                    return None
                held.setdefault(day, []).extend(parts)
            if r == len(wide) - 1 and days:
                # the last read's files come day after day: the days before this batch's
                # last are whole (every read has passed them), so a range of many days holds
                # a day's values, not the range's (a day read again later declines the grid)
                placed = _place_days(grid, held, before=days[-1][0])
                if placed is None:
                    return None
                points += placed
    placed = _place_days(grid, held)
    if placed is None:
        return None
    points += placed
    found = grid.result()
    if not points:
        return {}, None
    ctx.counts["points_read"] += points
    tables, ids = _group_ids(wide, known, series, columns, TABLE)
    final = np.full(layout.groups, -1, dtype=np.int64)  # the id of each layout group
    for (r, numbers), run_ids in zip(series, ids, strict=True):
        final[layout.group_of[r][np.searchsorted(known[r], numbers)]] = run_ids
    group = final[found.group]
    order = np.lexsort((found.window, group))
    lo, hi = bounds
    begins = zero + found.window[order] * every
    with np.errstate(invalid="ignore"):
        value = found.sums / found.counts if window.fn == "mean" else found.sums
    return {"table": pl.Series(group[order]),
            INDEX: pl.Series(INDEX, found.window[order]),
            START: pl.Series(START, np.maximum(begins, lo)),
            STOP: pl.Series(STOP, np.minimum(begins + every, hi)),
            window.column: pl.Series(window.column, value[order])}, tables


def _place_days(grid: slot_grid.GridSums, held: dict[int, list[tuple[int, slot_grid.Part]]],
                before: int | None = None) -> int | None:
    """Place the held days (those before `before`, or all) in day order and add their
    windows, letting go of their rows; the points placed, None when the grid declines."""
    points = 0
    for day in sorted(d for d in held if before is None or d < before):
        parts = held.pop(day)
        points += sum(len(p.values) for _, p in parts)
        if not grid.place(day, parts):
            return None
        del parts
        grid.close(before=day + 1)
    return points


@dataclass(frozen=True)
class _GridLayout:
    """What slot_grid lays out before any row is read: a group number for every series of
    each read (`group_of`, by its position in the read's table of series), the parts (a
    field of a read, in table order: field, then measurement), each day's places
    (DaySeries) and the span of times and rows expected over all days."""

    groups: int
    group_of: list[np.ndarray]
    known: list[np.ndarray]
    file_start: list[np.ndarray]  # per read, where each file's series start in `known`, then
    # where the last ends
    parts: list[tuple[str, int]]
    days: dict[int, slot_grid.DaySeries]
    span: tuple[int, int, int]

    @staticmethod
    def of(wide: list[WideRead], known: list[np.ndarray], columns: list[str],
           bounds: tuple[int, int]) -> _GridLayout:
        if columns:
            keys = pl.concat([w.series_tags.select(columns) for w in wide  # type: ignore[union-attr]
                              ], how="vertical")
            flat = pertable.table_ids(keys, columns)[0].to_numpy()
        else:
            flat = np.zeros(sum(len(k) for k in known), dtype=np.int64)
        cuts = np.cumsum([0, *(len(k) for k in known)]).tolist()
        group_of = [flat[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        parts = sorted(((f, r) for r, w in enumerate(wide) for f in w.fields),
                       key=lambda p: (p[0], wide[p[1]].measurement))
        # per read, where each file's series start in `known` (and where the last ends)
        file_start = [np.searchsorted(w.file_of(k), np.arange(len(w.files) + 1))
                      for w, k in zip(wide, known, strict=True)]
        lo, hi = bounds[0], bounds[1] - 1
        places: dict[tuple[int, int], np.ndarray] = {}  # (day, read): its series' groups
        spans: dict[int, list[int]] = {}
        for r, w in enumerate(wide):
            for f, span in enumerate(w.files):
                first, last = max(lo, span.min_time), min(hi, span.max_time)
                if first > last:
                    continue
                share = (last - first + 1) / (span.max_time - span.min_time + 1)
                day = spans.setdefault(span.day, [first, last, 0])
                day[:] = [min(day[0], first), max(day[1], last),
                          day[2] + int(span.rows * share) * len(w.fields)]
                places[(span.day, r)] = group_of[r][file_start[r][f]:file_start[r][f + 1]]
        days = {day: slot_grid.DaySeries(
            [places.get((day, r), np.empty(0, np.int64)) for _, r in parts], first, last, rows)
            for day, (first, last, rows) in spans.items()}
        span = (min(d.first_time for d in days.values()) if days else lo,
                max(d.last_time for d in days.values()) if days else lo,
                sum(d.rows for d in days.values()))
        return _GridLayout(int(flat.max()) + 1 if len(flat) else 1, group_of, known, file_start,
                           parts, days, span)

    def parts_by_day(self, r: int, w: WideRead, numeric: pl.DataFrame, starts: np.ndarray,
                     numbers: np.ndarray) -> list[tuple[int, list[tuple[int, slot_grid.Part]]]]:
        """A batch of read `r` (`numeric`: time and fields, one chunk each; its runs' starts
        and series numbers) as slot_grid takes it: per day (a file's runs), each field's rows
        that have a value, with its part's position in `parts`."""
        time = numeric.get_column("time").to_numpy()
        files = w.file_of(numbers)
        edges = [*change_positions(files).tolist(), len(numbers)]
        out = []
        for a, b in zip(edges[:-1], edges[1:], strict=True):  # the runs of one file
            lo, hi = int(starts[a]), int(starts[b]) if b < len(starts) else len(time)
            f = int(files[a])
            # a series' place: its position among its file's (a stretch of the known ones)
            place = np.searchsorted(self.known[r], numbers[a:b]) - self.file_start[r][f]
            parts = [(self.parts.index((field, r)),
                      _grid_part(time[lo:hi], numeric.get_column(f"f:{field}").slice(lo, hi - lo),
                                 starts[a:b] - lo, place))
                     for field in w.fields]
            out.append((w.files[f].day, parts))
        return out


def _grid_part(time: np.ndarray, values: pl.Series, starts: np.ndarray, series: np.ndarray
               ) -> slot_grid.Part:
    """The rows that have a value, as slot_grid holds them (runs without one left out; the
    values read in place, their column kept, the batch's other columns let go)."""
    if not values.null_count():
        return slot_grid.Part.of(time, values.to_numpy(), starts, series)
    kept = values.is_not_null().to_numpy()
    run = np.repeat(np.arange(len(starts)), np.diff(starts, append=len(time)))[kept]
    at = change_positions(run)
    return slot_grid.Part.of(time[kept], values.to_numpy()[kept], at, series[run[at]])


def _series_runs(numbers: pl.Series, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each series' run starts, and its number. Storage's numbers ascend through a read
    (WideRead.numbered), so a binary search finds each of the read's `known` numbers that fall
    in the batch, instead of a comparison of every row with the one before; chunk by chunk,
    which NumPy reads in place."""
    starts, found, offset = [], [], 0
    for chunk in numbers.get_chunks():
        at, here = _runs_in(chunk.to_numpy(), known)
        starts.append(at + offset)
        found.append(here)
        offset += chunk.len()
    if not starts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    at, here = np.concatenate(starts), np.concatenate(found)
    first = np.concatenate(([True], here[1:] != here[:-1]))  # a run over two chunks: once
    return at[first], here[first]


def _runs_in(numbers: np.ndarray, known: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    if not len(numbers):
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    lo, hi = np.searchsorted(known, [numbers[0], numbers[-1]], side="left")
    candidates = known[lo:hi + 1]
    at = np.searchsorted(numbers, candidates, side="left")
    inside = at < len(numbers)
    at, candidates = at[inside], candidates[inside]
    # a known number with no row in this batch finds the next one's row: not a run here
    here = numbers[at] == candidates
    return at[here].astype(np.int64), candidates[here]


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
