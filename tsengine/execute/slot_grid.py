"""Float sums per (group, window) in Go's addition order without sorting rows by time.

After `group()`, upstream adds a window's values in time order, points of one time in table
order (the series' tables one after another, then a stable sort by time). Storage rows come
series by series, each in time order. When every timestamp lies on a grid of `step` (one
that divides the window's `every`: telemetry's interval, mostly), a point's place in that
order is arithmetic: window, then time slot within the window, then the series' rank among
its group's series. Each point is written to that place in an array (zero-filled where some
slot has no point) and each window's values are then added along its contiguous stretch, one
after another (a zero adds nothing). A series without gaps is one strided copy: no sort of
all rows, no gather of each column.

A day's rows come from one file, whose series runs are in table order, so a series' rank is
the rank of its run that day; days are laid out one after another and a window that spans
days carries its sum into the next. When the grid would be much larger than the rows (times
off any coarse grid, sparse series), the caller sorts instead.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from storage.timeutil import DAY
from tsengine.execute.pertable import row_sums

# a grid at most this many cells per row (plus a little), else the caller sorts: adding up a
# cell costs a few times less than sorting a row
MAX_CELLS_PER_ROW = 2


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
    days = [np.flatnonzero(runs.day == day) for day in np.unique(runs.day)]
    steps = [_grid_step(parts, runs, of_day, zero, every) for of_day in days]
    if None in steps or sum(_day_cells(runs, of_day, zero, grid[0])  # type: ignore[index]
                            for of_day, grid in zip(days, steps, strict=True)) > \
            MAX_CELLS_PER_ROW * int(runs.length.sum()) + 1024:
        return None
    first = int((runs.first_time.min() - zero) // every)
    last = int((runs.last_time.max() - zero) // every)
    sums = np.zeros((groups, last - first + 1))
    counts = np.zeros((groups, last - first + 1), dtype=np.int64)
    for of_day, grid in zip(days, steps, strict=True):
        assert grid is not None
        if not _add_day(parts, runs, of_day, groups, zero, grid, every // grid[0], first,
                        sums, counts):
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


def _grid_step(parts: list[Part], runs: _Runs, of_day: np.ndarray, zero: int, every: int
               ) -> tuple[int, int] | None:
    """A day's grid: the coarsest step dividing `every` that the runs' first times and the
    first rows' steps agree with, and the remainder of a time by it from `zero` (_add_day
    checks every time against it). The remainder does not move a point's window: a window
    is `every // step` slots whichever it is. None when only 1 ns would do."""
    firsts = runs.first_time[of_day]
    step = int(np.gcd.reduce(firsts - firsts[0], initial=every))
    for p, _, lo, hi in _day_rows(parts, runs, of_day):
        step = int(np.gcd.reduce(np.diff(p.time[lo:min(hi, lo + 4096)]), initial=step))
    if step <= 1:
        return None
    return step, (int(firsts[0]) - zero) % step


def _day_rows(parts: list[Part], runs: _Runs, of_day: np.ndarray
              ) -> list[tuple[Part, np.ndarray, int, int]]:
    """Each part with a day's runs: the part, those runs (positions in `runs`) and the bounds
    of their rows (one stretch)."""
    out = []
    for i, p in enumerate(parts):
        here = of_day[runs.part[of_day] == i]
        if len(here):
            out.append((p, here, int(runs.start[here[0]]),
                        int(runs.start[here[-1]] + runs.length[here[-1]])))
    return out


def _slot_range(runs: _Runs, of_day: np.ndarray, zero: int, step: int) -> tuple[int, int]:
    """The first and last time slot (`(time - zero) // step`) a day's rows fall in."""
    return (int((runs.first_time[of_day].min() - zero) // step),
            int((runs.last_time[of_day].max() - zero) // step))


def _day_cells(runs: _Runs, of_day: np.ndarray, zero: int, step: int) -> int:
    lo, hi = _slot_range(runs, of_day, zero, step)
    return len(of_day) * (hi - lo + 1)


def _add_day(parts: list[Part], runs: _Runs, of_day: np.ndarray, groups: int, zero: int,
             grid_of_day: tuple[int, int], slots: int, first: int, sums: np.ndarray,
             counts: np.ndarray) -> bool:
    """Add one day's rows into `sums` and `counts` (columns: windows from `first`), each
    window continuing the sum an earlier day left in it; False when a time is found off
    the day's grid (`grid_of_day`: its step and the times' remainder).

    A group's cells are its runs (members) at each time slot of the day, slot by slot; a
    window is the stretch of its slots, so the day's first and last windows may be cut."""
    step, phase = grid_of_day
    group = runs.group[of_day]
    members = np.bincount(group, minlength=groups)  # runs of each group this day
    # a run's rank among its group's runs (their order here is table order)
    by_group = np.argsort(group, kind="stable")
    rank = np.empty(len(group), dtype=np.int64)
    rank[by_group] = np.arange(len(group)) - np.repeat(np.cumsum(members) - members, members)
    lo, hi = _slot_range(runs, of_day, zero, step)
    width = hi - lo + 1
    # groups of one member count laid out together, so that each such class is one matrix
    layout = np.lexsort((np.arange(groups), members))
    size = members[layout] * width
    base = np.empty(groups, dtype=np.int64)
    base[layout] = np.cumsum(size) - size
    # every cell written (a series' time is never written twice): counts are the cells
    dense = int(runs.length[of_day].sum()) == int(size.sum())
    grid = np.empty(int(size.sum())) if dense else np.zeros(int(size.sum()))
    filled = None if dense else np.zeros(len(grid), dtype=bool)
    for p, here, lo_row, hi_row in _day_rows(parts, runs, of_day):
        if np.any((runs.first_time[here] - zero) % step != phase):
            return False
        first_slot = (runs.first_time[here] - zero) // step - lo
        g = runs.group[here]
        # where each run's first point goes; its later ones follow every members[g] cells
        origin = base[g] + rank[np.searchsorted(of_day, here)] + first_slot * members[g]
        rows = _place_runs(p.values[lo_row:hi_row], p.time[lo_row:hi_row], step,
                           runs.start[here] - lo_row, runs.length[here], origin, g,
                           members[g], grid, filled)
        if len(rows):  # rows of runs with gaps: each position computed
            time = p.time[lo_row:hi_row][rows]
            run = np.searchsorted(runs.start[here] - lo_row, rows, side="right") - 1
            if np.any((time - zero) % step != phase):
                return False
            slot = (time - zero) // step - lo - first_slot[run]
            position = slot * members[g[run]] + origin[run]
            grid[position] = p.values[lo_row:hi_row][rows]
            if filled is not None:
                filled[position] = True
    # the day's windows as slot stretches: [edges[i], edges[i + 1]) relative to lo
    windows = np.arange(lo // slots, hi // slots + 1)
    edges = np.clip(np.append(windows, windows[-1] + 1) * slots, lo, hi + 1) - lo
    cuts = [(0, 1), (1, len(windows) - 1), (len(windows) - 1, len(windows))] \
        if len(windows) > 2 else [(i, i + 1) for i in range(len(windows))]
    for count in np.unique(members[members > 0]).tolist():
        chosen = layout[members[layout] == count]
        at = int(base[chosen[0]])
        cells = grid[at:at + len(chosen) * width * count].reshape(len(chosen), width * count)
        marks = None if filled is None else \
            filled[at:at + len(chosen) * width * count].reshape(cells.shape)
        for i, j in cuts:  # a cut window, the whole ones between, a cut window
            if i == j:
                continue
            a, b = int(edges[i]) * count, int(edges[j]) * count
            stretch = cells[:, a:b].reshape(len(chosen), j - i, -1)
            column = slice(int(windows[i]) - first, int(windows[j - 1]) - first + 1)
            sums[chosen, column] = row_sums(stretch, sums[chosen, column], scratch=True)
            counts[chosen, column] += np.full((len(chosen), j - i), b - a) // (j - i) \
                if marks is None else marks[:, a:b].reshape(stretch.shape).sum(axis=2)
    return True


_STRIDED_RUNS = 4096  # most runs of a part in a day copied one by one (a Python step each)


def _place_runs(values: np.ndarray, time: np.ndarray, step: int, starts: np.ndarray,
                lengths: np.ndarray, origin: np.ndarray, group: np.ndarray, stride: np.ndarray,
                grid: np.ndarray, filled: np.ndarray | None) -> np.ndarray:
    """Copy each run that goes one `step` at a time from its first time (its points fill
    consecutive slots: any other is found by one comparison per row) into `grid` from
    `origin` every `stride` cells, with no position computed; the rows of the other runs
    (all rows when there are too many runs for a Python step each) are left to the caller.

    Consecutive runs of a group's consecutive members over the same slots are one tile,
    copied as a transposed matrix: a slot's cells of the tile are then written together
    (a cache line holds 8), not each on its own line."""
    if len(starts) > _STRIDED_RUNS:
        return np.arange(len(time))
    breaks = np.flatnonzero(np.diff(time) != step) + 1  # rows not one step after the last
    inside = breaks[~np.isin(breaks, starts)]
    steady = np.ones(len(starts), dtype=bool)
    steady[np.searchsorted(starts, inside, side="right") - 1] = False
    follows = steady[1:] & steady[:-1] & (group[1:] == group[:-1]) & \
        (lengths[1:] == lengths[:-1]) & (origin[1:] == origin[:-1] + 1)
    tiles = np.flatnonzero(steady & ~np.concatenate(([False], follows)))
    ends = np.append(np.flatnonzero(~follows), len(starts) - 1)  # each tile's last run
    for r, last in zip(tiles.tolist(), ends[np.searchsorted(ends, tiles)].tolist(),
                       strict=True):
        a, n, count = int(starts[r]), int(lengths[r]), last - r + 1
        source = values[a:a + n * count].reshape(count, n).T
        _cells(grid, int(origin[r]), n, count, int(stride[r]))[...] = source
        if filled is not None:
            _cells(filled, int(origin[r]), n, count, int(stride[r]))[...] = True
    return _rows_of(np.flatnonzero(~steady), starts, lengths)


def _cells(array: np.ndarray, at: int, slots: int, members: int, stride: int) -> np.ndarray:
    """The view of `array` holding `members` consecutive members at `slots` consecutive
    slots from `at` (a slot's members are adjacent; slots are `stride` cells apart)."""
    item = array.itemsize
    return as_strided(array[at:], shape=(slots, members), strides=(stride * item, item))


def _rows_of(chosen: np.ndarray, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The row positions of the chosen runs."""
    if not len(chosen):
        return np.empty(0, dtype=np.int64)
    return np.concatenate([np.arange(starts[r], starts[r] + lengths[r]) for r in chosen])
