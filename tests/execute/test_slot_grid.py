"""slot_grid's sums equal the sequential sums of the rows ordered as the plain plan adds them
(group, window, time, then table order), to the last digit, over days and parts, whether the
rows come in one batch a day or many, and whatever places without rows a day has; and it
declines times that are not on a coarse grid."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from storage.timeutil import DAY
from tsengine.execute import slot_grid
from tsengine.execute.slot_grid import DaySeries, GridSums, Part, WindowSums

SEC = 10**9
T0 = 1704067200 * SEC  # a UTC midnight


@dataclass(frozen=True)
class Rows:
    """One part's rows over the days: runs (`starts`) of series of group `groups`, a day's
    runs together, days in time order."""

    time: np.ndarray
    values: np.ndarray
    starts: np.ndarray
    groups: np.ndarray


def window_sums(parts: list[Rows], groups: int, zero: int, every: int, batches: int = 1,
                empty: float = 0.0, seed: int = 0) -> WindowSums | None:
    """The grid's sums of `parts` (in table order), fed day by day: each day's runs of all
    parts in about `batches` batches (whole runs), its places each part's runs that day in
    order, with places of series without rows (a share `empty`) among them."""
    rng = np.random.default_rng(seed)
    runs = []  # (day, part, run)
    for i, p in enumerate(parts):
        for r, start in enumerate(p.starts.tolist()):
            runs.append((int(p.time[start]) // DAY, i, r))
    days = sorted({d for d, _, _ in runs})
    lo, hi = min(int(p.time.min()) for p in parts), max(int(p.time.max()) for p in parts)
    grid = GridSums.start(groups, zero, every, lo, hi, sum(len(p.time) for p in parts))
    assert grid is not None
    for day in days:
        places, position = [], {}  # per part, the groups of its places; a run's place
        for i, p in enumerate(parts):
            mine = [r for d, j, r in runs if d == day and j == i]
            groups_here = []
            for r in mine:
                while rng.random() < empty:  # a series without rows that day
                    groups_here.append(int(rng.integers(0, groups)))
                position[(i, r)] = len(groups_here)
                groups_here.append(int(p.groups[r]))
            places.append(np.array(groups_here, dtype=np.int64))
        of_day = [(i, r) for d, i, r in runs if d == day]
        times = np.concatenate([p.time[p.time // DAY == day] for p in parts])
        series = DaySeries(places, int(times.min()), int(times.max()), len(times))
        cuts = sorted(set(rng.integers(0, len(of_day), batches - 1).tolist()) | {0, len(of_day)})
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            batch = []
            for i, p in enumerate(parts):
                mine = [r for j, r in of_day[a:b] if j == i]
                if not mine:
                    continue
                ends = np.append(p.starts[1:], len(p.time))
                rows = np.concatenate([np.arange(p.starts[r], ends[r]) for r in mine])
                lengths = [int(ends[r] - p.starts[r]) for r in mine]
                batch.append((i, Part.of(p.time[rows], p.values[rows],
                                         np.cumsum([0, *lengths[:-1]]),
                                         np.array([position[(i, r)] for r in mine]))))
            if not grid.open(day, series, [p for _, p in batch]) or \
                    not grid.place(day, batch):
                return None
        grid.close(before=day + 1)
    return grid.result()


def _part(rng: np.random.Generator, series: int, groups: int, begins: list[int], every: int,
          gap: float) -> Rows:
    """Series (group = a random one) day by day, each day's runs in series order; times on
    a grid of a 30th of `every` (or 2 or 3 times that, by day) over up to 10 windows of the
    day from its `begins` fraction, some missing; values of many magnitudes, some negative zero."""
    group_of = rng.integers(0, groups, series)
    times, values, starts, run_groups = [], [], [], []
    at = 0
    step = every // 30
    for day, fraction in enumerate(begins):
        begin = DAY // step * fraction // 100 * step
        grid = T0 + day * DAY + np.arange(begin, min(DAY, begin + 10 * every),
                                          step * (1 + fraction % 3))
        for s in range(series):
            keep = grid[rng.random(len(grid)) >= gap]
            if not len(keep):
                continue
            starts.append(at)
            run_groups.append(group_of[s])
            times.append(keep)
            v = rng.uniform(-1, 1, len(keep)) * 10.0 ** rng.integers(-3, 12, len(keep))
            v[rng.random(len(keep)) < 0.05] = -0.0
            values.append(v)
            at += len(keep)
    return Rows(np.concatenate(times), np.concatenate(values), np.array(starts),
                np.array(run_groups))


def _expected(parts: list[Rows], zero: int, every: int) -> dict[tuple[int, int], tuple]:
    """Go's order by brute force: rows ranked (part, run) within a day, stably sorted by
    (group, time), each window's values added one by one from +0."""
    rows = []
    for p in parts:
        runs = np.searchsorted(p.starts, np.arange(len(p.time)), side="right") - 1
        for i in range(len(p.time)):
            rows.append((int(p.groups[runs[i]]), int(p.time[i]), float(p.values[i])))
    rows.sort(key=lambda r: (r[0], r[1]))  # stable: parts, then runs, keep their order
    out: dict[tuple[int, int], list] = {}
    for g, t, v in rows:
        entry = out.setdefault((g, (t - zero) // every), [0.0, 0])
        entry[0] += v
        entry[1] += 1
    return {k: (s + 0.0, n) for k, (s, n) in out.items()}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("strided", [True, False])
@pytest.mark.parametrize(("batches", "empty"), [(1, 0.0), (4, 0.3)])
def test_window_sums_are_go_sequential_sums(monkeypatch, seed, strided, batches, empty):
    if not strided:  # every point's position computed, as for parts of many series
        monkeypatch.setattr(slot_grid, "_STRIDED_RUNS", 0)
    if batches > 1:  # a part's runs split between the cores
        monkeypatch.setattr(slot_grid, "_PIECE_ROWS", 8)
        monkeypatch.setattr(slot_grid.workers, "cores", lambda: 3)
    rng = np.random.default_rng(seed)
    every = int(rng.choice([60, 600, 3600, 36 * 3600])) * SEC  # 36h: windows over two days
    begins = [int(b) for b in rng.integers(0, 100, int(rng.integers(1, 4)))]  # the days
    parts = [_part(rng, int(rng.integers(1, 12)), 3, begins, every,
                   float(rng.choice([0.0, 0.2]))) for _ in range(int(rng.integers(1, 3)))]
    found = window_sums(parts, 3, 0, every, batches, empty, seed)
    assert found is not None
    got = {(int(g), int(w)): (float(s), int(n)) for g, w, s, n in
           zip(found.group, found.window, found.sums, found.counts, strict=True)}
    want = _expected(parts, 0, every)
    assert list(got) == sorted(want)  # (group, window) order
    assert {k: (repr(s), n) for k, (s, n) in got.items()} == \
        {k: (repr(s), n) for k, (s, n) in want.items()}


def test_the_order_of_additions_shows_in_these_sums():
    """The check above can fail: adding the same rows series by series gives other digits."""
    rng = np.random.default_rng(3)
    parts = [_part(rng, 8, 2, [0], 3600 * SEC, 0.0)]
    found = window_sums(parts, 2, 0, 3600 * SEC)
    assert found is not None
    p = parts[0]
    runs = np.searchsorted(p.starts, np.arange(len(p.time)), side="right") - 1
    by_series = {}
    for i in range(len(p.time)):
        key = (p.groups[runs[i]], (int(p.time[i])) // (3600 * SEC))
        by_series[key] = by_series.get(key, 0.0) + float(p.values[i])
    assert any(by_series[(g, w)] != s for g, w, s in
               zip(found.group, found.window, found.sums, strict=True))


def test_times_off_a_coarse_grid_are_declined():
    time = T0 + np.array([0, 1, 2, 10, 20]) * SEC + np.array([0, 0, 0, 0, 7])
    part = Rows(time, np.ones(5), np.array([0]), np.array([0]))
    assert window_sums([part], 1, 0, 3600 * SEC) is None  # a grid of 1 ns: 3.6e12 cells
    coarse = Rows(T0 + np.array([0, 20, 40]) * SEC, np.array([0.1, 0.2, 0.3]), np.array([0]),
                  np.array([0]))
    found = window_sums([coarse], 1, 0, 3600 * SEC)
    assert found is not None and found.sums.tolist() == [0.1 + 0.2 + 0.3]
    assert found.counts.tolist() == [3]
    # series of one point each: the grid is their times' (20 s), not 1 ns
    single = Rows(coarse.time, coarse.values, np.arange(3), np.zeros(3, dtype=np.int64))
    found = window_sums([single], 1, 0, 3600 * SEC)
    assert found is not None and found.sums.tolist() == [0.1 + 0.2 + 0.3]


def test_a_time_off_the_grid_of_the_first_rows_is_declined_when_placed():
    """The day's grid comes from its first rows (a 20 s step here); a later series off it,
    evenly spaced or not, makes the placing fail: the caller then sorts."""
    series = DaySeries([np.array([0, 0])], T0, T0 + 100 * SEC, 10)
    first = Part.of(T0 + np.array([0, 20, 40]) * SEC, np.ones(3), np.array([0]), np.array([0]))
    for late in ([5, 25, 45], [20, 40, 55]):
        grid = GridSums.start(1, 0, 3600 * SEC, T0, T0 + 100 * SEC, 10)
        assert grid is not None and grid.open(0, series, [first])
        assert grid.place(0, [(0, first)])
        other = Part.of(T0 + np.array(late) * SEC, np.ones(3), np.array([0]), np.array([1]))
        assert not grid.place(0, [(0, other)])


def test_rows_are_held_by_their_first_time_and_step():
    """Runs one common step apart hold no times; the others keep theirs, and every time
    comes back in order (also from a slice of the runs)."""
    time = T0 + np.array([0, 10, 20, 30, 5, 15, 20, 40, 0, 10, 20]) * SEC
    part = Part.of(time, np.arange(11.0), np.array([0, 4, 8]), np.array([0, 1, 2]))
    assert part.stride.tolist() == [10 * SEC, 0, 10 * SEC]
    assert part.uneven_times.tolist() == time[4:8].tolist()
    assert part.last().tolist() == time[[3, 7, 10]].tolist()
    rows, times = part.times(np.array([0, 1, 2]))
    assert rows.tolist() == list(range(11)) and times.tolist() == time.tolist()
    single = Part.of(T0 + np.array([0, 600, 1800]) * SEC, np.ones(3), np.arange(3),
                     np.arange(3))  # series of one point: their times kept
    assert single.stride.tolist() == [0, 0, 0]
    assert single.times(np.arange(3))[1].tolist() == (T0 + np.array([0, 600, 1800]) * SEC
                                                       ).tolist()
    tail = part.slice(1, 3)
    assert tail.values.tolist() == list(range(4, 11)) and tail.starts.tolist() == [0, 4]
    assert tail.times(np.array([0, 1]))[1].tolist() == time[4:].tolist()


@pytest.mark.parametrize("columns", [1, 2, 3, 5, 24])
def test_column_sums_add_down_each_column_in_sequence(columns):
    """NumPy's reduction down a block (a stretch of its columns too) adds row after row, as
    Go's loop does; along a row it would add pairwise (other digits, which this would show)."""
    rng = np.random.default_rng(columns)
    shape = (5000, 2 * columns)
    block = rng.uniform(-1, 1, shape) * 10.0 ** rng.integers(-3, 12, shape)
    part = block[:, columns:]
    want = []
    for c in range(columns):
        total = 0.0
        for v in part[:, c].tolist():
            total += v
        want.append(total)
    assert slot_grid._column_sums(part).tolist() == want
    assert np.add.reduce(np.ascontiguousarray(part.T), axis=1).tolist() != want  # pairwise
