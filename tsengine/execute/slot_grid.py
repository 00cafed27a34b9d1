"""Float sums per (group, window) in Go's addition order without sorting rows by time.

After `group()`, upstream adds a window's values in time order, points of one time in table
order (the series' tables one after another, then a stable sort by time). Storage rows come
series by series, each in time order. When every timestamp lies on a grid of `step` (one
that divides the window's `every`: telemetry's interval, mostly), a point's place in that
order is arithmetic: window, then time slot within the window, then the series' rank among
its group's series. Each point is written to its cell in a block whose rows follow that order
within a window (slot by slot, the group's series at each slot) and whose columns are the
windows (of every group with as many series, side by side); cells without a point hold +0,
which adds nothing. One NumPy reduction down the columns then adds every window's values in
sequence at once, many windows per step (down the rows NumPy would add pairwise). A series
without gaps is a few strided copies: no sort of all rows, no gather of each column.

A day's cells are laid out from the series that may have rows that day (a file's, in its
order, which is table order: series without rows only leave +0 cells) and the day's span of
times; the grid's step is found from the first rows of the day. Until they are placed, rows
are held compactly: a series' times that go one step at a time are its first time and that
step, so what is held is its values, 8 bytes a point. Days are added one after another and a
window that spans days goes on from the sum the day before left (a block's first row). A time
off the day's grid, or cells many more than the rows (times off any coarse grid, sparse
series), and the grid declines: the caller then sorts instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.lib.stride_tricks import as_strided

from tsengine.execute import workers
from tsengine.execute.pertable import change_positions, row_sums

# cells per row at most (plus a little), else the caller sorts: a cell costs a write and an
# addition in a vectorized sweep, a sorted row several times that
MAX_CELLS_PER_ROW = 4


@dataclass(frozen=True)
class DaySeries:
    """The places of one day's grid: per part (a field of a measurement, parts in table order)
    the group of each series that may have rows that day, in table order; the span of the
    times the day's rows can have (ns, both ends in) and about how many rows the parts hold
    that day (a grid of many more cells is declined)."""

    groups: list[np.ndarray]
    first_time: int
    last_time: int
    rows: int


@dataclass(frozen=True)
class Part:
    """Some rows of one part on one day, series by series: float `values` without nulls; per
    run (a series' rows): where it starts, its series' position in its part's
    DaySeries.groups, its first time and the step between its times, or 0 when they are
    not evenly spaced: then its times are in `uneven_times` (the rows of all such runs, in
    order). A run's times ascend and are distinct (as storage keeps them: the grid then has
    a cell for each point)."""

    values: np.ndarray
    starts: np.ndarray
    series: np.ndarray
    first: np.ndarray
    stride: np.ndarray
    uneven_times: np.ndarray

    @staticmethod
    def of(time: np.ndarray, values: np.ndarray, starts: np.ndarray, series: np.ndarray
           ) -> Part:
        """The rows held compactly: the times of runs that go one step at a time (the step
        most of them take, one comparison a row) by their first time and that step."""
        lengths = np.diff(starts, append=len(time))
        longer = np.flatnonzero(lengths > 1)
        # (no run of two rows: no step; their times are kept, for the grid's step)
        step = int(time[starts[longer[0]] + 1] - time[starts[longer[0]]]) if len(longer) else 0
        breaks = np.flatnonzero(np.diff(time) != step) + 1  # rows not one step after the last
        begins = np.zeros(len(time), dtype=bool)
        begins[starts] = True
        stride = np.full(len(starts), step, dtype=np.int64)
        stride[np.searchsorted(starts, breaks[~begins[breaks]], side="right") - 1] = 0
        kept = np.flatnonzero(stride == 0)
        return Part(values, starts, series, time[starts], stride,
                    time[_rows_of(kept, starts, lengths)])

    def lengths(self) -> np.ndarray:
        return np.diff(self.starts, append=len(self.values))

    def last(self) -> np.ndarray:
        """Each run's last time."""
        lengths = self.lengths()
        last = self.first + (lengths - 1) * self.stride
        uneven = self.stride == 0
        last[uneven] = self.uneven_times[np.cumsum(lengths[uneven]) - 1]
        return last

    def times(self, runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The rows of the chosen runs (ascending; every uneven run among them) and their
        times."""
        lengths = self.lengths()
        rows = _rows_of(runs, self.starts, lengths)
        run = np.repeat(runs, lengths[runs])
        time = self.first[run] + (rows - self.starts[run]) * self.stride[run]
        uneven = self.stride[run] == 0
        time[uneven] = self.uneven_times
        return rows, time

    def slice(self, lo: int, hi: int) -> Part:
        """Runs lo to hi (not included)."""
        lengths = self.lengths()
        uneven = np.cumsum(np.where(self.stride == 0, lengths, 0)) - \
            np.where(self.stride == 0, lengths, 0)  # uneven rows before each run
        a = int(self.starts[lo])
        b = int(self.starts[hi]) if hi < len(self.starts) else len(self.values)
        u = int(uneven[lo])
        v = int(uneven[hi]) if hi < len(self.starts) else len(self.uneven_times)
        return Part(self.values[a:b], self.starts[lo:hi] - a, self.series[lo:hi],
                    self.first[lo:hi], self.stride[lo:hi], self.uneven_times[u:v])


@dataclass(frozen=True)
class WindowSums:
    """For each group and window that holds rows, in (group, window) order: the window's
    number (`(time - zero) // every`), its sum in Go's order and its count of values."""

    group: np.ndarray
    window: np.ndarray
    sums: np.ndarray
    counts: np.ndarray


class GridSums:
    """The sums of rows given day by day: a day is opened (laid out), its rows placed in any
    number of steps (a series' rows in one), then closed (its windows added), days in
    order."""

    def __init__(self, groups: int, zero: int, every: int, first: int, windows: int) -> None:
        self.groups, self.zero, self.every, self.first = groups, zero, every, first
        self.sums = np.zeros((groups, windows))
        self.counts = np.zeros((groups, windows), dtype=np.int64)
        self.open_days: dict[int, _Day] = {}
        self.closed = -1  # the last day closed

    @staticmethod
    def start(groups: int, zero: int, every: int, first_time: int, last_time: int, rows: int
              ) -> GridSums | None:
        """A grid for the windows of times `first_time` to `last_time` (ns, both in), or
        None when (groups x windows) would be many more cells than the `rows` expected."""
        first, last = (first_time - zero) // every, (last_time - zero) // every
        if groups * (last - first + 1) > MAX_CELLS_PER_ROW * rows + 1024:
            return None
        return GridSums(groups, zero, every, first, last - first + 1)

    def open(self, day: int, series: DaySeries, parts: list[Part]) -> bool:
        """Lay a day out (when it is new) on the grid of its first rows `parts`; False when
        the grid declines (see the module's docstring)."""
        parts = [p for p in parts if len(p.values)]
        if day in self.open_days or not parts:
            return True
        if day <= self.closed:
            return False  # (a day read again after its windows were added)
        step = _grid_step(parts, self.every)
        if step is None:
            return False
        phase = (int(parts[0].first[0]) - self.zero) % step
        grid = _Day(series, self.groups, self.zero, self.every, step, phase)
        if grid.cells() > MAX_CELLS_PER_ROW * series.rows + 1024:
            return False
        grid.lay_out()
        self.open_days[day] = grid
        return True

    def place(self, day: int, parts: list[tuple[int, Part]]) -> bool:
        """Place rows of an open day (each with its part's position in its DaySeries.groups)
        in their cells, the parts at once; False when a time is off the day's grid."""
        grid = self.open_days[day]
        pieces = [(i, piece) for i, p in parts if len(p.values)
                  for piece in _pieces(p, len(parts))]
        counted = workers.run_all([partial(grid.place, i, piece, self.first, self.sums.shape[1])
                                   for i, piece in pieces])
        if any(c is None for c in counted):
            return False
        flat = self.counts.reshape(-1)
        for cells, amounts in counted:  # type: ignore[misc]
            np.add.at(flat, cells, amounts)
        return True

    def close(self, before: int | None = None) -> None:
        """Add the windows of the open days before `before` (all when None), in day order,
        each going on from the sums the days before left."""
        for day in sorted(self.open_days):
            if before is not None and day >= before:
                break
            self.open_days.pop(day).add(self.sums, self.first)
            self.closed = day

    def result(self) -> WindowSums:
        """The sums of every (group, window) with rows; the open days closed first."""
        self.close()
        group, window = np.nonzero(self.counts)
        return WindowSums(group, window + self.first, self.sums[group, window] + 0.0,
                          self.counts[group, window])


_PIECE_ROWS = 65_536  # rows of a part placed by one job at least


def _pieces(part: Part, parts: int) -> list[Part]:
    """A part's rows in stretches of whole runs, one for each core the other `parts` leave
    (their series' cells are disjoint: the cores place them at once)."""
    n = min(workers.cores() // parts, len(part.values) // _PIECE_ROWS, len(part.starts))
    if n < 2:
        return [part]
    cuts = np.searchsorted(part.starts, np.linspace(0, len(part.values), n + 1)[1:-1],
                           side="right") - 1
    runs = [0, *np.unique(cuts[cuts > 0]).tolist(), len(part.starts)]
    return [part.slice(a, b) for a, b in zip(runs[:-1], runs[1:], strict=True)]


_STEP_SAMPLE = 4096  # uneven times of a part whose steps the grid's step is found from


def _grid_step(parts: list[Part], every: int) -> int | None:
    """The coarsest step dividing `every` that the runs' first times, their steps and the
    first uneven times agree with; None when only 1 ns would do. (A time found off it later
    makes the grid decline: the remainder from `zero` is the first time's.)"""
    origin = parts[0].first[0]
    step = every
    for p in parts:
        step = int(np.gcd.reduce(p.first - origin, initial=step))
        step = int(np.gcd.reduce(p.stride, initial=step))
        step = int(np.gcd.reduce(np.diff(p.uneven_times[:_STEP_SAMPLE]), initial=step))
    return step if step > 1 else None


class _Day:
    """One day's grid (`step`, `phase`: the times' remainder by it from `zero`): time slots
    `lo` to `hi` (`(time - zero) // step`), in windows of `slots` slots, `wl` to `wh`
    (window numbers are `slot // slots`).

    Groups with the same number of places (a part's series) share a block of cells: row 0
    holds the sums the days before left, then a row per (slot within a window, rank); a
    column per (group, window). A group's places at a slot are adjacent rows, a window's
    slots follow one another: down a column is Go's order."""

    def __init__(self, series: DaySeries, groups: int, zero: int, every: int, step: int,
                 phase: int) -> None:
        self.zero, self.step, self.phase, self.slots = zero, step, phase, every // step
        self.first_time, self.last_time = series.first_time, series.last_time
        self.lo = (series.first_time - zero) // step
        self.hi = (series.last_time - zero) // step
        self.wl, self.wh = self.lo // self.slots, self.hi // self.slots
        self.group = series.groups
        group = np.concatenate(series.groups)
        self.members = np.bincount(group, minlength=groups)  # places of each group this day
        # a place's rank among its group's (their order here is table order)
        by_group = np.argsort(group, kind="stable")
        rank = np.empty(len(group), dtype=np.int64)
        rank[by_group] = np.arange(len(group)) - np.repeat(
            np.cumsum(self.members) - self.members, self.members)
        cuts = np.cumsum([0, *(len(g) for g in series.groups)]).tolist()
        self.rank = [rank[a:b] for a, b in zip(cuts[:-1], cuts[1:], strict=True)]
        self.layout: _Layout | None = None
        self.blocks: list[tuple[int, np.ndarray, slice, int]] = []

    def cells(self) -> int:
        """How many cells the day's blocks hold (about: the sums rows left out)."""
        return int(self.members.sum()) * self.slots * (self.wh - self.wl + 1)

    def lay_out(self) -> None:
        """The day's blocks, their cells +0 (np.zeros: pages the kernel zeroes when first
        written)."""
        groups, windows = len(self.members), self.wh - self.wl + 1
        # each group's block (its start), the block's row width, the group's first column
        base, width, column = (np.zeros(groups, dtype=np.int64) for _ in range(3))
        at = 0
        for count in np.unique(self.members[self.members > 0]).tolist():
            chosen = np.flatnonzero(self.members == count)
            base[chosen], width[chosen] = at, len(chosen) * windows
            column[chosen] = np.arange(len(chosen)) * windows
            height = 1 + self.slots * count  # the sums row, then (slot, place) rows
            cells = slice(at, at + height * len(chosen) * windows)
            self.blocks.append((count, chosen, cells, height))
            at = cells.stop
        self.layout = _Layout(np.zeros(at), base, width, column, self.members, self.wl,
                              self.slots)

    def place(self, part: int, rows: Part, first: int, windows: int
              ) -> tuple[np.ndarray, np.ndarray] | None:
        """Write one part's rows into their cells (parts write disjoint cells: they run at
        once); the cells of the grid's counts (flat, `windows` per group from window `first`)
        and the amounts to add there; None when a time is off the day's grid or span."""
        layout, zero, step = self.layout, self.zero, self.step
        assert layout is not None
        starts, lengths = rows.starts, rows.lengths()
        if rows.first.min() < self.first_time or rows.last().max() > self.last_time or \
                np.any((rows.first - zero) % step != self.phase):
            return None
        first_slot = (rows.first - zero) // step
        g, rank = self.group[part][rows.series], self.rank[part][rows.series]
        # runs that go one step at a time fill consecutive slots: copied a tile at a time
        steady = _place_runs(layout, rows.values, starts, lengths, first_slot, g, rank,
                             (rows.stride == step) | (lengths == 1))
        # counts of the steady runs by their slots, then those of the other runs' rows
        cells, amounts = _steady_counts(first_slot[steady], lengths[steady], g[steady],
                                        self.slots, first, windows)
        if steady.all():
            return cells, amounts
        at, time = rows.times(np.flatnonzero(~steady))
        if np.any((time - zero) % step != self.phase):
            return None
        run = np.searchsorted(starts, at, side="right") - 1
        slot = (time - zero) // step
        layout.grid[layout.cell(g[run], rank[run], slot)] = rows.values[at]
        # a run's rows ascend in time: the count cells of its rows are runs of one value
        flat = g[run] * windows + slot // self.slots - first
        change = change_positions(flat)
        return (np.concatenate((cells, flat[change])),
                np.concatenate((amounts, np.diff(change, append=len(flat)))))

    def add(self, sums: np.ndarray, first: int) -> None:
        """Add the day's cells into `sums` (columns: windows from `first`), each window going
        on from the sum an earlier day left in it."""
        assert self.layout is not None
        grid, windows = self.layout.grid, self.wh - self.wl + 1
        into = slice(self.wl - first, self.wh - first + 1)
        jobs, totals = [], []
        for _, chosen, cells, height in self.blocks:
            block = grid[cells].reshape(height, -1)
            block[0] = sums[chosen, into].reshape(-1)  # additions go on from these
            cuts = _column_cuts(block.shape[1])
            jobs += [partial(_column_sums, block[:, cut]) for cut in cuts]
            totals.append((chosen, len(cuts)))
        found = iter(workers.run_all(jobs))
        for chosen, cuts in totals:
            sums[chosen, into] = np.concatenate([next(found) for _ in range(cuts)]).reshape(
                len(chosen), windows)


def _steady_counts(first_slot: np.ndarray, lengths: np.ndarray, group: np.ndarray,
                   slots: int, first: int, windows: int) -> tuple[np.ndarray, np.ndarray]:
    """The count cells (flat, `windows` per group from window `first`) of runs that fill
    consecutive slots, and how many of each run's points each window holds: the slots it
    covers of the window."""
    begin, end = first_slot, first_slot + lengths  # slots [begin, end)
    wa, wb = begin // slots, (end - 1) // slots
    spans = wb - wa + 1
    run = np.repeat(np.arange(len(begin)), spans)
    window = wa[run] + np.arange(len(run)) - np.repeat(np.cumsum(spans) - spans, spans)
    amounts = np.minimum(end[run], (window + 1) * slots) - np.maximum(begin[run],
                                                                      window * slots)
    return group[run] * windows + window - first, amounts


@dataclass(frozen=True)
class _Layout:
    """Where a day's points go (see _Day): per group, its block's start (`base`), the block's
    row width, its first column and its number of places (`members`)."""

    grid: np.ndarray
    base: np.ndarray
    width: np.ndarray
    column: np.ndarray
    members: np.ndarray
    wl: int
    slots: int

    def cell(self, group: np.ndarray | int, rank: np.ndarray | int,
             slot: np.ndarray | int) -> np.ndarray | int:
        """The cell of a group's place of this rank at a time slot."""
        row = 1 + slot % self.slots * self.members[group] + rank
        return self.base[group] + row * self.width[group] + self.column[group] + \
            slot // self.slots - self.wl


def _column_cuts(columns: int) -> list[slice]:
    """The columns in a few stretches for the cores to add at once, each of 2 columns or
    more (one column alone NumPy would add pairwise)."""
    parts = max(1, min(workers.cores(), columns // 2))
    edges = np.linspace(0, columns, parts + 1).astype(int).tolist()
    return [slice(a, b) for a, b in zip(edges[:-1], edges[1:], strict=True)]


def _column_sums(block: np.ndarray) -> np.ndarray:
    """Each column of `block` added down from row 0, one row after another."""
    if block.shape[1] > 1:
        # down a C-ordered block NumPy adds row after row into one sum per column
        return np.add.reduce(block, axis=0)
    return row_sums(block[1:].T, block[0])


_STRIDED_RUNS = 4096  # most tiles of a part copied one by one (a Python step each)


def _place_runs(layout: _Layout, values: np.ndarray, starts: np.ndarray, lengths: np.ndarray,
                first_slot: np.ndarray, group: np.ndarray, rank: np.ndarray,
                steady: np.ndarray) -> np.ndarray:
    """Copy each steady run (its points fill consecutive slots) into its cells, with no cell
    computed per point; which runs were copied: none when they would be too many tiles for
    a Python step each (the caller places them as it does the others).

    Consecutive runs of a group's consecutive ranks over the same slots are one tile, copied
    a window at a time as strided views (whole windows together)."""
    follows = steady[1:] & steady[:-1] & (group[1:] == group[:-1]) & \
        (lengths[1:] == lengths[:-1]) & (first_slot[1:] == first_slot[:-1]) & \
        (rank[1:] == rank[:-1] + 1)
    tiles = np.flatnonzero(steady & ~np.concatenate(([False], follows)))
    if len(tiles) > _STRIDED_RUNS:
        return np.zeros_like(steady)
    ends = np.append(np.flatnonzero(~follows), len(starts) - 1)  # each tile's last run
    for r, last in zip(tiles.tolist(), ends[np.searchsorted(ends, tiles)].tolist(),
                       strict=True):
        _copy_tile(layout, values, int(starts[r]), int(lengths[r]), last - r + 1,
                   int(first_slot[r]), int(group[r]), int(rank[r]))
    return steady


def _copy_tile(layout: _Layout, values: np.ndarray, start: int, length: int, count: int,
               first_slot: int, group: int, rank: int) -> None:
    """Copy `count` runs of `length` points each, one after another from row `start`: the
    places of `group` ranked `rank` and on, each at consecutive slots from `first_slot`. A
    cut window at each end, the whole windows between as one strided view."""
    slots, item, cell = layout.slots, values.itemsize, layout.grid.itemsize
    width, members = int(layout.width[group]), int(layout.members[group])
    end = first_slot + length
    head = min(end, -(-first_slot // slots) * slots)  # the first window boundary
    tail = max(head, end // slots * slots)
    for a, b in ((first_slot, head), (head, tail), (tail, end)):
        if a >= b:
            continue
        at = int(layout.cell(group, rank, a))
        source = values[start + a - first_slot:]
        if a % slots == 0 and b - a >= slots:  # whole windows: (series, window, slot)
            whole = (b - a) // slots
            shape = (count, whole, slots)
            into = (width, 1, members * width)
            out = (length, slots, 1)
        else:  # part of one window: (series, slot)
            shape, into, out = (count, b - a), (width, members * width), (length, 1)
        cells = as_strided(layout.grid[at:], shape=shape, strides=tuple(s * cell for s in into))
        cells[...] = as_strided(source, shape=shape, strides=tuple(s * item for s in out))


def _rows_of(chosen: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The row positions of the chosen runs (in order)."""
    lengths = lengths[chosen]
    before = np.cumsum(lengths) - lengths  # rows of the chosen runs before each
    return np.repeat(starts[chosen] - before, lengths) + np.arange(int(lengths.sum()))
