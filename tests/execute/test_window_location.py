"""window and aggregateWindow with a location: windows step on a named zone's wall clock
(23- and 25-hour days, months from local midnight of the 1st, offsets in local time); bounds
checked against a transcription of upstream's location-aware interval arithmetic for random
times around daylight-saving changes."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute import windows
from tsengine.execute.windows import INDEX, START, STOP, WindowSpec
from tsengine.flux.values import Duration, Time, add_duration
from tsengine.stdlib.universe.window import pushable

SEC = 1_000_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
NY = "America/New_York"
SPRING = 1710054000 * SEC  # 2024-03-10T07:00:00Z, clocks in New York go 02:00 EST -> 03:00 EDT
FALL = 1730613600 * SEC  # 2024-11-03T06:00:00Z, clocks in New York go 02:00 EDT -> 01:00 EST


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp()) * SEC


# -- upstream's arithmetic, transcribed --------------------------------------------------------
def _wall(tz: ZoneInfo, sec: int) -> int:
    offset = datetime.fromtimestamp(sec, UTC).astimezone(tz).utcoffset()
    return sec + int(offset.total_seconds())  # type: ignore[union-attr]


def from_local_clock(tz: ZoneInfo, t: int) -> int:
    """upstream zoneinfo FromLocalClock: an instant's wall-clock reading."""
    sec, sub = divmod(t, SEC)
    return _wall(tz, sec) * SEC + sub


def to_local_clock(tz: ZoneInfo, reading: int) -> int:
    """upstream zoneinfo ToLocalClock: the earliest instant showing the reading, or the
    transition where clocks skip it (searched directly, not through tsengine's helpers)."""
    sec, sub = divmod(reading, SEC)
    offsets = {_wall(tz, sec + h * 3600) - (sec + h * 3600) for h in range(-50, 51)}
    hits = [sec - o for o in offsets if _wall(tz, sec - o) == sec]
    if hits:
        return min(hits) * SEC + sub
    lo, hi = sec - max(offsets), sec - min(offsets)  # wall(lo) < sec < wall(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _wall(tz, mid) < sec else (lo, mid)
    return hi * SEC


class Reference:
    """interval.Window in a location: lastIndex, GetLatestBounds, PrevBounds,
    GetOverlappingBounds and Bounds.Intersect."""

    def __init__(self, spec: WindowSpec) -> None:
        assert spec.zone is not None
        self.spec, self.tz = spec, ZoneInfo(spec.zone)
        self.zero = add_duration(add_duration(Time(0), -spec.location_offset), spec.offset).ns

    @staticmethod
    def _months_since(t: int) -> int:
        d = datetime.fromtimestamp(t // SEC, UTC)
        return (d.year - 1970) * 12 + d.month - 1

    def last_index(self, t: int) -> int:
        every = self.spec.every
        if every.months:
            da, dz = (datetime.fromtimestamp(x // SEC, UTC) for x in (t, self.zero))
            before = (da.day, t % DAY) < (dz.day, self.zero % DAY)
            target = self._months_since(t) - before
            return (target - self._months_since(self.zero)) // every.months
        return (t - self.zero) // every.nanoseconds

    def wall_bounds(self, i: int) -> tuple[int, int, int]:
        every, period = self.spec.every, self.spec.period
        start = add_duration(Time(self.zero), Duration(every.months * i, every.nanoseconds * i)).ns
        stop = add_duration(Time(start), period).ns
        return (stop, start, i) if period.negative else (start, stop, i)

    def located(self, b: tuple[int, int, int]) -> tuple[int, int, int]:
        return to_local_clock(self.tz, b[0]), to_local_clock(self.tz, b[1]), b[2]

    def latest(self, t: int) -> tuple[int, int, int]:
        w = from_local_clock(self.tz, t)
        b = self.wall_bounds(self.last_index(w))
        if self.spec.period.negative:
            every, period = self.spec.every, self.spec.period
            e, p = (every.months, -period.months) if every.months else \
                (every.nanoseconds, -period.nanoseconds)
            index = b[2] + (p // e if p > e else 0)
            b = self.wall_bounds(index)
            nxt = self.wall_bounds(b[2] + 1)
            while nxt[0] <= w < nxt[1]:
                b, nxt = nxt, self.wall_bounds(nxt[2] + 1)
        return self.located(b)

    def overlapping(self, start: int, stop: int) -> list[tuple[int, int, int]]:
        def contains(b, t):
            return b[0] <= t < b[1]

        out, curr = [], self.latest(stop)
        while curr[1] > start:
            if contains(curr, start) or (contains(curr, stop) and stop > curr[0]) or \
                    start <= curr[0] < stop:
                out.append(curr)
            curr = self.located(self.wall_bounds(curr[2] - 1))
        return out

    @staticmethod
    def intersect(q: tuple[int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
        if q[0] < b[1] and b[0] < q[1] and b[0] < b[1]:
            return max(q[0], b[0]), min(q[1], b[1]), b[2]
        return q[0], q[1], b[2]


ZONES = ["America/New_York", "Australia/Sydney", "Europe/London", "Australia/Lord_Howe",
         "Asia/Kolkata", "Pacific/Apia"]
TRANSITIONS = [SPRING, FALL, ts("2024-04-07T02:00:00+10:00"), ts("2024-10-06T02:00:00+10:00"),
               ts("2024-03-31T01:00:00+00:00"), ts("2024-10-27T01:00:00+00:00"),
               ts("2011-12-30T00:00:00+14:00")]


def random_spec(rng: random.Random) -> WindowSpec:
    zone = rng.choice(ZONES)
    shift = Duration(0, rng.choice([0, 0, HOUR, -30 * MIN]))
    if rng.random() < 0.3:
        every = Duration(rng.choice([1, 2, 3, 12]), 0)
        period = rng.choice([every, Duration(every.months + 1, 0), Duration(0, 20 * DAY)])
        offset = rng.choice([Duration(), Duration(0, 5 * DAY + 3 * HOUR), Duration(1, 0)])
        return WindowSpec(every, period, offset, shift, zone)
    every = Duration(0, rng.choice([15 * MIN, HOUR, 3 * HOUR, DAY, 7 * DAY]))
    n = every.nanoseconds
    period = Duration(0, rng.choice([n, n, 2 * n, n // 2, 3 * n + MIN, -n, -2 * n]))
    offset = Duration(0, rng.choice([0, 30 * MIN, 13 * MIN, -n // 3, 12 * HOUR]))
    return WindowSpec(every, period, offset, shift, zone)


def around_transitions(rng: random.Random, n: int) -> list[int]:
    return [rng.choice(TRANSITIONS) + rng.randrange(-2 * DAY, 2 * DAY) // MIN * MIN
            + rng.choice([0, 0, 1, -1, 123]) for _ in range(n)]


def test_row_windows_match_upstream_around_transitions():
    rng = random.Random(5)
    for _ in range(80):
        spec = random_spec(rng)
        ref = Reference(spec)
        center = rng.choice(TRANSITIONS)
        lo = center - rng.randrange(0, 40 * DAY)
        hi = center + rng.randrange(1, 40 * DAY)
        times = [center + rng.randrange(-3 * DAY, 3 * DAY) // MIN * MIN for _ in range(30)]
        times += around_transitions(rng, 20) + [lo, hi - 1]
        got = windows.assign(pl.DataFrame({"t": times}), pl.col("t"), spec, (lo, hi))
        got_rows = sorted(got.select("t", START, STOP, INDEX).rows())
        want = sorted((t, *ref.intersect((lo, hi), b)) for t in times
                      for b in ref.overlapping(t, t + 1))
        assert got_rows == want, spec


def test_windows_within_bounds_match_upstream_around_transitions():
    rng = random.Random(9)
    for _ in range(80):
        spec = random_spec(rng)
        ref = Reference(spec)
        lo = rng.choice(TRANSITIONS) - rng.randrange(0, 10 * DAY) // MIN * MIN
        hi = lo + rng.randrange(1, 20 * DAY)
        got = sorted(windows.within(spec, (lo, hi)).rows())
        want = sorted(ref.intersect((lo, hi), b) for b in ref.overlapping(lo, hi))
        assert got == want, spec


def test_days_across_daylight_saving_changes_are_23_and_25_hours():
    spec = WindowSpec(Duration(0, DAY), Duration(0, DAY), zone=NY)
    spring = windows.within(spec, (ts("2024-03-09T05:00:00+00:00"),
                                   ts("2024-03-12T04:00:00+00:00")))
    assert [(s, e - s) for s, e, _ in spring.rows()] == [
        (ts("2024-03-09T00:00:00-05:00"), DAY), (ts("2024-03-10T00:00:00-05:00"), DAY - HOUR),
        (ts("2024-03-11T00:00:00-04:00"), DAY)]
    fall = windows.within(spec, (ts("2024-11-02T04:00:00+00:00"), ts("2024-11-05T05:00:00+00:00")))
    assert [e - s for s, e, _ in fall.rows()] == [DAY, DAY + HOUR, DAY]


def test_skipped_bounds_become_the_transition():
    # hour windows offset 30m: [01:30, 02:30) ends in the skipped hour, at 03:00 EDT
    spec = WindowSpec(Duration(0, HOUR), Duration(0, HOUR), Duration(0, 30 * MIN), zone=NY)
    rows = windows.assign(pl.DataFrame({"t": [SPRING - 15 * MIN]}), pl.col("t"), spec,
                          (SPRING - DAY, SPRING + DAY))
    assert rows.select(START, STOP).row(0) == (SPRING - 30 * MIN, SPRING)


def test_fixed_offset_windows_and_a_zone_are_not_pushable():
    assert pushable(WindowSpec(Duration(0, DAY), Duration(0, DAY)))
    assert not pushable(WindowSpec(Duration(0, DAY), Duration(0, DAY), zone=NY))
    assert not pushable(WindowSpec(Duration(0, DAY), Duration(0, DAY), Duration(),
                                   Duration(0, -5 * HOUR)))


def test_located_window_assignment_is_vectorized_over_many_rows():
    spec = WindowSpec(Duration(0, HOUR), Duration(0, HOUR), zone=NY)
    times = list(range(SPRING - 30 * DAY, SPRING + 30 * DAY, 7 * MIN))
    got = windows.assign(pl.DataFrame({"t": times}), pl.col("t"), spec,
                         (SPRING - 30 * DAY, SPRING + 30 * DAY))
    assert got.height == len(times)
    assert got.filter(pl.col(START) > pl.col("t")).height == 0
    assert got.get_column(INDEX).n_unique() == 60 * 24  # the skipped hour's window is empty
    assert got.get_column(INDEX).max() - got.get_column(INDEX).min() == 60 * 24


# -- queries ------------------------------------------------------------------------------------
HOURLY = [f"m v={i} {SPRING - 2 * DAY + i * HOUR}" for i in range(4 * 24)] + \
    [f"m v={i} {FALL - 2 * DAY + i * HOUR}" for i in range(4 * 24)]
SPRING_RANGE = ('from(bucket: "b") |> range(start: 2024-03-09T05:00:00Z, '
                'stop: 2024-03-12T04:00:00Z)')
FALL_RANGE = 'from(bucket: "b") |> range(start: 2024-11-02T04:00:00Z, stop: 2024-11-05T05:00:00Z)'
IMPORT = 'import "timezone"\n'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, HOURLY)


def tables(engine, flux):
    return agree(engine, flux, lambda t: (t.key_record(), t.frame.columns,
                                          t.frame["_time"].dt.epoch("ns").to_list(),
                                          t.frame["_value"].to_list()))


def test_window_days_in_new_york_across_spring_forward(engine):
    got = tables(engine, IMPORT + SPRING_RANGE
                 + ' |> window(every: 1d, location: timezone.location(name: "America/New_York"))')
    starts = [(k["_start"].ns, k["_stop"].ns - k["_start"].ns, len(v)) for k, _, _, v in got]
    assert starts == [(ts("2024-03-09T00:00:00-05:00"), DAY, 24),
                      (ts("2024-03-10T00:00:00-05:00"), DAY - HOUR, 23),
                      (ts("2024-03-11T00:00:00-04:00"), DAY, 24)]


def test_the_location_option_is_the_default(engine):
    flux = IMPORT + 'option location = timezone.location(name: "America/New_York")\n' \
        + FALL_RANGE + " |> aggregateWindow(every: 1d, fn: count)"
    (table,) = tables(engine, flux)
    assert table[1] == ["_time", "_start", "_stop", "_field", "_measurement", "_value"]
    assert table[2] == [ts("2024-11-03T00:00:00-04:00"), ts("2024-11-04T00:00:00-05:00"),
                        ts("2024-11-05T00:00:00-05:00")]
    assert table[3] == [24, 25, 24]


def test_aggregate_window_generic_fn_with_location(engine):
    flux = IMPORT + FALL_RANGE + ' |> aggregateWindow(every: 1d, fn: max, timeSrc: "_start",' \
        ' location: timezone.location(name: "America/New_York"))'
    (table,) = tables(engine, flux)
    assert table[2] == [ts("2024-11-02T00:00:00-04:00"), ts("2024-11-03T00:00:00-04:00"),
                        ts("2024-11-04T00:00:00-05:00")]
    assert table[3] == [45.0, 70.0, 94.0]


def test_month_windows_start_at_local_midnight_of_the_first(engine):
    flux = (IMPORT + 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, '
            'stop: 2024-12-31T00:00:00Z) |> aggregateWindow(every: 1mo, fn: count, '
            'timeSrc: "_start", createEmpty: false, '
            'location: timezone.location(name: "America/New_York"))')
    (table,) = tables(engine, flux)
    assert table[2] == [ts("2024-03-01T00:00:00-05:00"), ts("2024-11-01T00:00:00-04:00")]
    assert table[3] == [96, 96]


def test_a_fixed_offset_moves_windows_to_its_midnight(engine):
    flux = IMPORT + SPRING_RANGE + " |> aggregateWindow(every: 1d, fn: sum, createEmpty: false,"\
        " location: timezone.fixed(offset: -5h))"
    (table,) = tables(engine, flux)
    assert table[2] == [ts("2024-03-10T00:00:00-05:00"), ts("2024-03-11T00:00:00-05:00"),
                        ts("2024-03-12T04:00:00+00:00")]
    assert table[3] == [sum(range(22, 46)), sum(range(46, 70)), sum(range(70, 93))]


def test_create_empty_windows_follow_the_zone(engine):
    flux = IMPORT + SPRING_RANGE + ' |> filter(fn: (r) => r._value == 30.0) |> window(every: 1d,'\
        ' createEmpty: true, location: timezone.location(name: "America/New_York"))'
    got = tables(engine, flux)
    assert [(k["_start"].ns, len(v)) for k, _, _, v in got] == [
        (ts("2024-03-09T05:00:00+00:00"), 1), (ts("2024-03-10T00:00:00-05:00"), 0),
        (ts("2024-03-11T00:00:00-04:00"), 0)]


def test_unknown_zone_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match="unknown time zone Mars/Olympus"):
        engine.query(SPRING_RANGE + ' |> window(every: 1d, location: {zone: "Mars/Olympus",'
                                    ' offset: 0h})')


def test_the_repeated_hour_as_upstream_walks_it():
    # 15-minute windows when clocks go back: the wall-clock windows 01:00-02:00 name instants of
    # the first pass (the last one reaching 02:00 EST); upstream looks for a time of the second
    # pass from the window of its reading and walks back, so it finds a window only from 01:45
    spec = WindowSpec(Duration(0, 15 * MIN), Duration(0, 15 * MIN), zone=NY)
    times = [FALL + m * MIN for m in (-50, -5, 5, 35, 44, 45, 50, 59, 60)]
    got = windows.assign(pl.DataFrame({"t": times}), pl.col("t"), spec, (FALL - DAY, FALL + DAY))
    ref = Reference(spec)
    want = sorted((t, *b) for t in times for b in ref.overlapping(t, t + 1))
    assert sorted(got.select("t", START, STOP, INDEX).rows()) == want
    assert [r[0] for r in want] == [FALL + m * MIN for m in (-50, -5, 45, 50, 59, 60)]
    assert [r[2] - r[1] for r in want[2:5]] == [75 * MIN] * 3
