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

A day's rows come from one file, whose series runs are in table order, so a series' rank is
the rank of its run that day; days are laid out one after another and a window that spans
days goes on from the sum the day before left (a block's first row). When the cells would be
many more than the rows (times off any coarse grid, sparse series), the caller sorts instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
from numpy.lib.stride_tricks import as_strided

from storage.timeutil import DAY
from tsengine.execute import workers
from tsengine.execute.pertable import row_sums

# cells per row at most (plus a little), else the caller sorts: a cell costs a write and an
# addition in a vectorized sweep, a sorted row several times that
MAX_CELLS_PER_ROW = 4


@dataclass(frozen=True)
class Part:
    """Rows of one field of one measurement: `time` (ns) and float `values` without nulls,
    series by series (`starts`: where each series' run begins, `groups`: its group id), runs
    of one day together and days in time order; a run's times distinct (as storage keeps
    them: the grid then has a cell for each point)."""

    time: np.ndarray
    values: np.ndarray
    starts: np.ndarray
    groups: np.ndarray


@dataclass(frozen=True)
class WindowSums:
    """For each group and window that holds rows, in (group, window) order: the window's
    number (`(time - zero) // every`), its sum in Go's order and its count of values."""

    group: np.ndarray
    window: np.ndarray
    sums: np.ndarray
    counts: np.ndarray


def window_sums(parts: list[Part], groups: int, zero: int, every: int) -> WindowSums | None:
    """The sums of `parts` (in table order) per group and window, or None when the rows'
    times are not on a grid dense enough (see the module's docstring)."""
    runs = _Runs.of(parts)
    if runs is None:
        return None
    days = []
    for day in np.unique(runs.day):
        of_day = np.flatnonzero(runs.day == day)
        rows = _day_rows(parts, runs, of_day)
        grid = _grid_step(runs, of_day, rows, zero, every)
        if grid is None:
            return None
        days.append(_Day(runs, of_day, rows, zero, every, *grid))
    if sum(d.cells() for d in days) > MAX_CELLS_PER_ROW * int(runs.length.sum()) + 1024:
        return None
    first = int((runs.first_time.min() - zero) // every)
    last = int((runs.last_time.max() - zero) // every)
    sums = np.zeros((groups, last - first + 1))
    counts = np.zeros((groups, last - first + 1), dtype=np.int64)
    for day in days:
        if not day.add(groups, first, sums, counts):
            return None
    group, window = np.nonzero(counts)
    return WindowSums(group, window + first, sums[group, window] + 0.0, counts[group, window])


@dataclass(frozen=True)
class _Runs:
    """Every series run of every part, in table order within a day."""

    part: np.ndarray
    start: np.ndarray
    length: np.ndarray
    group: np.ndarray
    day: np.ndarray
    first_time: np.ndarray
    last_time: np.ndarray

    @staticmethod
    def of(parts: list[Part]) -> _Runs | None:
        if not parts or not any(len(p.time) for p in parts):
            return None
        part, start, length, group, first, last = [], [], [], [], [], []
        for i, p in enumerate(parts):
            lengths = np.diff(p.starts, append=len(p.time))
            part.append(np.full(len(p.starts), i))
            start.append(p.starts)
            length.append(lengths)
            group.append(p.groups)
            first.append(p.time[p.starts])
            last.append(p.time[p.starts + lengths - 1])
        first_time = np.concatenate(first)
        last_time = np.concatenate(last)
        day = first_time // DAY
        if (last_time // DAY != day).any():
            return None  # a run over two days: not one file's
        # within a day, runs in part order, then in their order in the part
        order = np.lexsort((np.concatenate(start), np.concatenate(part), day))
        return _Runs(*(np.concatenate(a)[order] for a in (part, start, length, group)),
                     day[order], first_time[order], last_time[order])


_DayRows = list[tuple[Part, np.ndarray, int, int]]


def _day_rows(parts: list[Part], runs: _Runs, of_day: np.ndarray) -> _DayRows:
    """Each part with a day's runs: the part, those runs (positions in `runs`) and the bounds
    of their rows (one stretch)."""
    out = []
    for i, p in enumerate(parts):
        here = of_day[runs.part[of_day] == i]
        if len(here):
            out.append((p, here, int(runs.start[here[0]]),
                        int(runs.start[here[-1]] + runs.length[here[-1]])))
    return out


def _grid_step(runs: _Runs, of_day: np.ndarray, rows: _DayRows, zero: int, every: int
               ) -> tuple[int, int] | None:
    """A day's grid: the coarsest step dividing `every` that the runs' first times and the
    first rows' steps agree with, and the remainder of a time by it from `zero` (placing
    checks every time against it). The remainder does not move a point's window: a window
    is `every // step` slots whichever it is. None when only 1 ns would do."""
    firsts = runs.first_time[of_day]
    step = int(np.gcd.reduce(firsts - firsts[0], initial=every))
    for p, _, lo, hi in rows:
        step = int(np.gcd.reduce(np.diff(p.time[lo:min(hi, lo + 4096)]), initial=step))
    if step <= 1:
        return None
    return step, (int(firsts[0]) - zero) % step


class _Day:
    """One day's rows on its grid (`step`, `phase`: the times' remainder by it from `zero`):
    time slots `lo` to `hi` (`(time - zero) // step`), in windows of `slots` slots, `wl` to
    `wh` (window numbers are `slot // slots`).

    Groups with the same number of series (runs this day) share a block of cells: row 0
    holds the sums the days before left, then a row per (slot within a window, series rank);
    a column per (group, window). A group's series at a slot are adjacent rows, a window's
    slots follow one another: down a column is Go's order."""

    def __init__(self, runs: _Runs, of_day: np.ndarray, rows: _DayRows, zero: int, every: int,
                 step: int, phase: int) -> None:
        self.runs, self.of_day, self.rows = runs, of_day, rows
        self.zero, self.step, self.phase, self.slots = zero, step, phase, every // step
        self.lo = int((runs.first_time[of_day].min() - zero) // step)
        self.hi = int((runs.last_time[of_day].max() - zero) // step)
        self.wl, self.wh = self.lo // self.slots, self.hi // self.slots

    def cells(self) -> int:
        """How many cells the day's blocks hold (about: the sums rows left out)."""
        return len(self.of_day) * self.slots * (self.wh - self.wl + 1)

    def add(self, groups: int, first: int, sums: np.ndarray, counts: np.ndarray) -> bool:
        """Add the day's rows into `sums` and `counts` (columns: windows from `first`), each
        window going on from the sum an earlier day left in it; False when a time is found
        off the day's grid."""
        runs, of_day, slots = self.runs, self.of_day, self.slots
        group = runs.group[of_day]
        members = np.bincount(group, minlength=groups)  # runs of each group this day
        # a run's rank among its group's runs (their order here is table order)
        by_group = np.argsort(group, kind="stable")
        rank = np.empty(len(group), dtype=np.int64)
        rank[by_group] = np.arange(len(group)) - np.repeat(np.cumsum(members) - members,
                                                            members)
        windows = self.wh - self.wl + 1
        # each group's block (its start), the block's row width, the group's first column
        base, width, column = (np.zeros(groups, dtype=np.int64) for _ in range(3))
        blocks, at = [], 0
        for count in np.unique(members[members > 0]).tolist():
            chosen = np.flatnonzero(members == count)
            base[chosen], width[chosen] = at, len(chosen) * windows
            column[chosen] = np.arange(len(chosen)) * windows
            height = 1 + slots * count  # the sums row, then (slot, series) rows
            cells = slice(at, at + height * len(chosen) * windows)
            blocks.append((count, chosen, cells, height))
            at = cells.stop
        # +0 where no point is (np.zeros: pages the kernel zeroes when first written)
        grid = np.zeros(at)
        # every cell of the day's slots written (a series' time is never written twice)
        dense = int(runs.length[of_day].sum()) == int(members.sum()) * (self.hi - self.lo + 1)
        filled = None if dense else np.zeros(at, dtype=bool)
        layout = _Layout(grid, filled, base, width, column, members, self.wl, slots)
        placed = workers.run_all([partial(self._place, layout, rank, *r) for r in self.rows])
        if not all(placed):
            return False
        into = slice(self.wl - first, self.wh - first + 1)
        # each window's slots in [lo, hi]: a dense day has a point there for every series
        edges = np.arange(self.wl, self.wh + 2) * slots
        span = np.diff(np.clip(edges, self.lo, self.hi + 1))
        jobs, totals = [], []
        for count, chosen, cells, height in blocks:
            block = grid[cells].reshape(height, -1)
            block[0] = sums[chosen, into].reshape(-1)  # additions go on from these
            cuts = _column_cuts(block.shape[1])
            jobs += [partial(_column_sums, block[:, cut]) for cut in cuts]
            totals.append((chosen, len(cuts)))
            if filled is None:
                counts[chosen, into] += count * span
            else:
                counts[chosen, into] += filled[cells].reshape(height, -1).sum(axis=0).reshape(
                    len(chosen), windows)
        found = iter(workers.run_all(jobs))
        for chosen, cuts in totals:
            sums[chosen, into] = np.concatenate([next(found) for _ in range(cuts)]).reshape(
                len(chosen), windows)
        return True

    def _place(self, layout: _Layout, ranks: np.ndarray, p: Part, here: np.ndarray,
               lo_row: int, hi_row: int) -> bool:
        """Write one part's rows of the day into their cells; False when one is off the
        grid. Parts write disjoint cells: they run at once."""
        runs, zero, step = self.runs, self.zero, self.step
        if np.any((runs.first_time[here] - zero) % step != self.phase):
            return False
        first_slot = (runs.first_time[here] - zero) // step
        rank = ranks[np.searchsorted(self.of_day, here)]  # `ranks`: one per run of the day
        values, time = p.values[lo_row:hi_row], p.time[lo_row:hi_row]
        starts = runs.start[here] - lo_row
        g = runs.group[here]
        rows = _place_runs(layout, values, time, step, starts, runs.length[here], first_slot,
                           g, rank)
        if len(rows):  # rows of runs with gaps: each cell computed
            run = np.searchsorted(starts, rows, side="right") - 1
            if np.any((time[rows] - zero) % step != self.phase):
                return False
            at = layout.cell(g[run], rank[run], (time[rows] - zero) // step)
            layout.grid[at] = values[rows]
            if layout.filled is not None:
                layout.filled[at] = True
        return True


@dataclass(frozen=True)
class _Layout:
    """Where a day's points go (see _Day): per group, its block's start (`base`), the block's
    row width, its first column and its number of series (`members`)."""

    grid: np.ndarray
    filled: np.ndarray | None
    base: np.ndarray
    width: np.ndarray
    column: np.ndarray
    members: np.ndarray
    wl: int
    slots: int

    def cell(self, group: np.ndarray | int, rank: np.ndarray | int,
             slot: np.ndarray | int) -> np.ndarray | int:
        """The cell of a group's series of this rank at a time slot."""
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


_STRIDED_RUNS = 4096  # most runs of a part in a day copied one by one (a Python step each)


def _place_runs(layout: _Layout, values: np.ndarray, time: np.ndarray, step: int,
                starts: np.ndarray, lengths: np.ndarray, first_slot: np.ndarray,
                group: np.ndarray, rank: np.ndarray) -> np.ndarray:
    """Copy each run that goes one `step` at a time from its first time (its points fill
    consecutive slots: any other is found by one comparison per row) into its cells, with no
    cell computed per point; the rows of the other runs (all rows when there are too many
    runs for a Python step each) are left to the caller.

    Consecutive runs of a group's consecutive ranks over the same slots are one tile, copied
    a window at a time as strided views (whole windows together)."""
    if len(starts) > _STRIDED_RUNS:
        return np.arange(len(time))
    breaks = np.flatnonzero(np.diff(time) != step) + 1  # rows not one step after the last
    inside = breaks[~np.isin(breaks, starts)]
    steady = np.ones(len(starts), dtype=bool)
    steady[np.searchsorted(starts, inside, side="right") - 1] = False
    follows = steady[1:] & steady[:-1] & (group[1:] == group[:-1]) & \
        (lengths[1:] == lengths[:-1]) & (first_slot[1:] == first_slot[:-1]) & \
        (rank[1:] == rank[:-1] + 1)
    tiles = np.flatnonzero(steady & ~np.concatenate(([False], follows)))
    ends = np.append(np.flatnonzero(~follows), len(starts) - 1)  # each tile's last run
    for r, last in zip(tiles.tolist(), ends[np.searchsorted(ends, tiles)].tolist(),
                       strict=True):
        _copy_tile(layout, values, int(starts[r]), int(lengths[r]), last - r + 1,
                   int(first_slot[r]), int(group[r]), int(rank[r]))
    return _rows_of(np.flatnonzero(~steady), starts, lengths)


def _copy_tile(layout: _Layout, values: np.ndarray, start: int, length: int, count: int,
               first_slot: int, group: int, rank: int) -> None:
    """Copy `count` runs of `length` points each, one after another from row `start`: the
    series of `group` ranked `rank` and on, each at consecutive slots from `first_slot`. A
    cut window at each end, the whole windows between as one strided view."""
    slots, item = layout.slots, values.itemsize
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
        views = [(layout.grid, source)]
        if layout.filled is not None:
            views.append((layout.filled, np.ones(1, dtype=bool)))
        for target, data in views:
            cells = as_strided(target[at:], shape=shape,
                               strides=tuple(s * target.itemsize for s in into))
            if data.size == 1:
                cells[...] = data[0]
            else:
                cells[...] = as_strided(data, shape=shape, strides=tuple(s * item for s in out))


def _rows_of(chosen: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The row positions of the chosen runs."""
    if not len(chosen):
        return np.empty(0, dtype=np.int64)
    return np.concatenate([np.arange(starts[r], starts[r] + lengths[r]) for r in chosen])
