"""window: rows split into time windows clipped to the range; bounds checked against a direct
transcription of upstream's interval arithmetic for random times and windows."""

from __future__ import annotations

import calendar
import random
from datetime import UTC, datetime

import polars as pl
import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.execute import windows
from tsengine.execute.windows import INDEX, START, STOP, WindowSpec
from tsengine.flux.values import Duration, Time, add_duration
from tsengine.plan.nodes import From
from tsengine.stdlib.universe.window import Window, run_window

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 1_000_000_000
MIN = 60 * SEC
HOUR = 60 * MIN
DAY = 24 * HOUR
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:30Z, stop: 2024-01-01T00:05:00Z)'
CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1 {T0}", f"cpu,host=a usage=2 {T0 + 40 * SEC}",
        f"cpu,host=a usage=3 {T0 + 80 * SEC}", f"cpu,host=a usage=4 {T0 + 130 * SEC}",
        f"cpu,host=a usage=5 {T0 + 290 * SEC}", f"cpu,host=b usage=10 {T0 + 20 * SEC}",
        f"cpu,host=b usage=20 {T0 + 210 * SEC}",
    ])


def at(seconds: int) -> Time:
    return Time(T0 + seconds * SEC)


# -- the plan's tables --------------------------------------------------------------------
def test_windows_are_clipped_to_the_range(engine):
    result = both(engine, CPU + " |> window(every: 2m)")
    assert [(k["_start"], k["_stop"], k["host"], v) for k, _, v in result] == [
        (at(30), at(120), "a", [2.0, 3.0]),
        (at(120), at(240), "a", [4.0]),
        (at(120), at(240), "b", [20.0]),
        (at(240), at(300), "a", [5.0]),
    ]
    assert result[0][1] == ["_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]


def test_create_empty_gives_a_table_for_every_window(engine):
    result = both(engine, CPU + ' |> filter(fn: (r) => r.host == "b")'
                               " |> window(every: 1m, createEmpty: true)")
    assert [(k["_start"], v) for k, _, v in result] == [
        (at(30), []), (at(60), []), (at(120), []), (at(180), [20.0]), (at(240), [])]


def test_a_row_goes_to_every_window_holding_it(engine):
    result = both(engine, CPU + ' |> filter(fn: (r) => r.host == "a")'
                               " |> window(every: 1m, period: 3m)")
    assert [(k["_start"], k["_stop"], v) for k, _, v in result] == [
        (at(30), at(60), [2.0]),
        (at(30), at(120), [2.0, 3.0]),
        (at(30), at(180), [2.0, 3.0, 4.0]),
        (at(60), at(240), [3.0, 4.0]),
        (at(120), at(300), [4.0, 5.0]),
        (at(180), at(300), [5.0]),
        (at(240), at(300), [5.0]),
    ]


def test_rows_in_a_gap_between_windows_go_nowhere(engine):
    result = both(engine, CPU + ' |> filter(fn: (r) => r.host == "a")'
                               " |> window(every: 2m, period: 30s)")
    assert [(k["_start"], k["_stop"], v) for k, _, v in result] == [(at(120), at(150), [4.0])]


def test_offset_shifts_the_windows(engine):
    result = both(engine, CPU + ' |> filter(fn: (r) => r.host == "a")'
                               " |> window(every: 2m, offset: 1m)")
    assert [(k["_start"], k["_stop"], v) for k, _, v in result] == [
        (at(30), at(60), [2.0]), (at(60), at(180), [3.0, 4.0]), (at(180), at(300), [5.0])]


def test_every_inf_puts_the_windows_back_together(engine):
    result = both(engine, CPU + " |> window(every: 1m) |> window(every: inf)")
    assert [(k["_start"], k["_stop"], k["host"], v) for k, _, v in result] == [
        (at(30), at(300), "a", [2.0, 3.0, 4.0, 5.0]), (at(30), at(300), "b", [20.0])]


def test_the_key_follows_the_column_order_and_missing_bounds_are_appended(engine):
    result = engine.query(CPU + ' |> group(columns: ["host", "_measurement"])'
                                ' |> drop(columns: ["_start", "_stop"]) |> window(every: 5m)')
    (a, b) = result["_result"]
    assert a.key == ("_measurement", "host", "_start", "_stop")
    assert a.frame.columns[-2:] == ["_start", "_stop"]
    assert (a.key_record()["host"], b.key_record()["host"]) == ("a", "b")


def test_custom_time_and_bound_columns(engine):
    result = both(engine, CPU + ' |> filter(fn: (r) => r.host == "b")'
                               ' |> duplicate(column: "_time", as: "t")'
                               ' |> window(every: 2m, timeColumn: "t", startColumn: "ws",'
                               ' stopColumn: "we")')
    ((key, columns, values),) = result
    assert columns[-3:] == ["t", "ws", "we"]
    assert (key["_start"], key["ws"], key["we"], values) == (at(30), at(120), at(240), [20.0])


def test_month_windows_follow_the_calendar(engine):
    engine.write("b", "\n".join(f"m v={i}i {ns}" for i, ns in enumerate([
        1706742000 * SEC, 1706745600 * SEC, 1709208000 * SEC, 1710460800 * SEC])) + "\n")
    result = both(engine, 'from(bucket: "b") |> range(start: 2024-01-15T00:00:00Z, '
                          'stop: 2024-03-20T00:00:00Z) |> filter(fn: (r) => r._measurement == "m")'
                          " |> window(every: 1mo)")
    starts = [datetime.fromtimestamp(k["_start"].ns // SEC, UTC).date().isoformat()
              for k, _, _ in result]
    assert starts == ["2024-01-15", "2024-02-01", "2024-03-01"]
    assert [v for _, _, v in result] == [[0], [1, 2], [3]]


def test_location_offset_moves_the_zero(engine):
    result = both(engine, CPU + ' |> filter(fn: (r) => r.host == "a")'
                               ' |> window(every: 2m, location: {zone: "UTC", offset: 1m})')
    assert [k["_start"] for k, _, _ in result] == [at(30), at(60), at(180)]


@pytest.mark.parametrize("call, message", [
    ("window(every: 0s)", 'requires at least one of "every" or "period"'),
    ("window(every: -1m)", 'parameter "every" must be non-negative'),
    ("window(every: 1mo1d)", "cannot mix month and nanosecond units"),
    ("window(every: 1m, timeColumn: 1)", "timeColumn must be a string"),
    ('window(every: 1m, location: {zone: "Mars/Olympus", offset: 0h})',
     "unknown time zone Mars/Olympus"),
    ('drop(columns: ["_time"]) |> window(every: 1m)', 'missing time column "_time"'),
])
def test_errors(engine, call, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(CPU + " |> " + call)


def test_window_without_range_bounds_is_an_error():
    class Ctx:
        def error(self, node, message):
            return FluxRuntimeError(message, 0, 0, "")

    node = Window(From("b"), WindowSpec(Duration(0, MIN), Duration(0, MIN)))
    with pytest.raises(FluxRuntimeError, match="nil bounds passed to window"):
        run_window(Ctx(), node, [])  # type: ignore[arg-type]


# -- bounds arithmetic against upstream's algorithm ----------------------------------------
class Reference:
    """upstream interval.Window, transcribed: lastIndex, GetLatestBounds, PrevBounds,
    GetOverlappingBounds and Bounds.Intersect."""

    def __init__(self, spec: WindowSpec) -> None:
        self.spec = spec
        self.zero = add_duration(add_duration(Time(0), -spec.location_offset), spec.offset).ns
        self.zero_months = self._months_since(self.zero)

    @staticmethod
    def _months_since(t: int) -> int:
        d = datetime.fromtimestamp(t // SEC, UTC)
        return (d.year - 1970) * 12 + d.month - 1

    def _before_within_month(self, a: int, b: int) -> bool:
        da, db = datetime.fromtimestamp(a // SEC, UTC), datetime.fromtimestamp(b // SEC, UTC)
        return (da.day, a % DAY) < (db.day, b % DAY)

    def last_index(self, t: int) -> int:
        every = self.spec.every
        if every.months:
            target = self._months_since(t) - (1 if self._before_within_month(t, self.zero) else 0)
            return (target - self.zero_months) // every.months
        return (t - self.zero) // every.nanoseconds

    def bounds(self, i: int) -> tuple[int, int, int]:
        every, period = self.spec.every, self.spec.period
        start = add_duration(Time(self.zero), Duration(every.months * i, every.nanoseconds * i)).ns
        stop = add_duration(Time(start), period).ns
        if period.negative:
            start, stop = stop, start
        return start, stop, i

    def latest(self, t: int) -> tuple[int, int, int]:
        b = self.bounds(self.last_index(t))
        if self.spec.period.negative:
            nxt = self.bounds(b[2] + 1)
            while nxt[0] <= t < nxt[1]:
                b, nxt = nxt, self.bounds(nxt[2] + 1)
        return b

    def overlapping(self, start: int, stop: int) -> list[tuple[int, int, int]]:
        def contains(b, t):
            return b[0] <= t < b[1]

        out, curr = [], self.latest(stop)
        while curr[1] > start:
            if contains(curr, start) or (contains(curr, stop) and stop > curr[0]) or \
                    start <= curr[0] < stop:
                out.append(curr)
            curr = self.bounds(curr[2] - 1)
        return out

    @staticmethod
    def intersect(q: tuple[int, int], b: tuple[int, int, int]) -> tuple[int, int, int]:
        if q[0] < b[1] and b[0] < q[1] and b[0] < b[1]:
            return max(q[0], b[0]), min(q[1], b[1]), b[2]
        return q[0], q[1], b[2]


def random_spec(rng: random.Random) -> WindowSpec:
    if rng.random() < 0.35:
        every = Duration(rng.choice([1, 2, 3, 12]), 0)
        period = rng.choice([every, Duration(every.months + 1, 0), Duration(0, 20 * DAY),
                             Duration(1, DAY), Duration(-1, 0)])
        offset = rng.choice([Duration(), Duration(0, 5 * DAY + 3 * HOUR), Duration(0, -2 * DAY),
                             Duration(1, 0)])
    else:
        every = Duration(0, rng.choice([MIN, 7 * MIN, HOUR, 7 * DAY]))
        n = every.nanoseconds
        period = Duration(0, rng.choice([n, 2 * n, n // 2, 3 * n + MIN, -n, -2 * n]))
        offset = Duration(0, rng.choice([0, 13 * MIN, -n // 3, 5 * n]))
    return WindowSpec(every, period, offset, Duration(0, rng.choice([0, HOUR, -30 * MIN])))


def test_row_windows_match_upstream_for_random_windows():
    rng = random.Random(7)
    for _ in range(60):
        spec = random_spec(rng)
        ref = Reference(spec)
        lo = T0 + rng.randrange(-400 * DAY, 400 * DAY)
        hi = lo + rng.randrange(1, 200 * DAY)
        times = [lo + rng.randrange(-DAY, hi - lo + DAY) for _ in range(40)] + [lo, hi - 1]
        got = windows.assign(pl.DataFrame({"t": times}), pl.col("t"), spec, (lo, hi))
        got_rows = sorted(got.select("t", START, STOP, INDEX).rows())
        want = sorted((t, *ref.intersect((lo, hi), b)) for t in times
                      for b in ref.overlapping(t, t + 1))
        assert got_rows == want, spec


def test_windows_within_bounds_match_upstream_for_random_windows():
    rng = random.Random(11)
    for _ in range(60):
        spec = random_spec(rng)
        ref = Reference(spec)
        lo = T0 + rng.randrange(-400 * DAY, 400 * DAY)
        hi = lo + rng.randrange(1, 300 * DAY)
        got = sorted(windows.within(spec, (lo, hi)).rows())
        want = sorted(ref.intersect((lo, hi), b) for b in ref.overlapping(lo, hi))
        assert got == want, spec


def test_month_arithmetic_clamps_to_the_end_of_the_month():
    spec = WindowSpec(Duration(1, 0), Duration(1, 0), Duration(0, 30 * DAY))  # zero: Jan 31
    jan31 = 1706659200 * SEC  # 2024-01-31
    got = windows.within(spec, (jan31, jan31 + 70 * DAY))
    days = [datetime.fromtimestamp(s // SEC, UTC).date().isoformat() for s in got[START]]
    assert days == ["2024-01-31", "2024-02-29", "2024-03-31"]
    assert calendar.isleap(2024)


def test_a_row_whose_window_misses_the_range_gets_the_range(engine):
    # counts of host a have _time 2:00, 4:00 and 5:00 (the range's stop, outside it); the
    # window [5:00, 6:00) misses the range: upstream's Intersect gives the range's bounds
    result = both(engine, CPU + ' |> filter(fn: (r) => r.host == "a")'
                               " |> aggregateWindow(every: 2m, fn: count, createEmpty: false)"
                               " |> window(every: 1m)")
    assert [(k["_start"], k["_stop"], v) for k, _, v in result] == [
        (at(30), at(300), [1]), (at(120), at(180), [2]), (at(240), at(300), [1])]
