"""Window bounds as Flux's `window()` computes them, for whole columns of times at once.

Window k is `[zero + every*k, zero + every*k + period)` (swapped when the period is negative),
with `zero = 1970-01-01T00:00:00Z - location offset + offset`; a month-based `every` steps
calendar months from `zero`, the day clamped to the month's end, as upstream's Time.Add. A time
belongs to every window holding it (several when period > every, none in a gap when
period < every). Windows are clipped to the query bounds (the range's `start`/`stop`, known
from the plan as upstream's planner knows them); a window that does not overlap them (a row
outside the range) gets the query bounds themselves, as upstream's Intersect gives.

A named zone (`zone`) steps windows on its wall clock, as upstream's location-aware windows:
the window numbers and bounds are computed on wall-clock readings (a time's reading is the
time plus the zone's offset at it), and each bound is then the instant that reading names (the
earliest of a reading repeated when clocks go back, the transition for a reading they skip).
Days are then 23 or 25 hours long across daylight-saving changes. A time belongs to the windows
holding it whose number is at most the last window starting at or before its reading (upstream
walks back from that window; in the hour clocks repeat, a window of the first pass does not
take times of the second).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import partial

import polars as pl

from tsengine.flux.values import Duration, Time, add_duration, format_duration
from tsengine.plan.nodes import (
    PlanNode,
    Range,
    StorageAggregate,
    StorageRead,
    StorageWindowAggregate,
)

MIN_TIME, MAX_TIME = -(2**63), 2**63 - 1
INF = Duration(0, MAX_TIME)  # universe `inf`: every of the window that holds everything
DAY = 86_400_000_000_000
MONTH_MIN, MONTH_MAX = 28 * DAY, 31 * DAY  # a calendar month's shortest and longest span
EPOCH_MONTHS = 1970 * 12
EPOCH_DATE = date(1970, 1, 1)
START, STOP = "\0win_start", "\0win_stop"  # the clipped bounds of each row's window (ns)
INDEX = "\0win_index"  # which window (k), to tell apart windows that clip to the same bounds

Bounds = tuple[int, int]


@dataclass(frozen=True)
class WindowSpec:
    """A window spec: `every`, `period` (non-zero), `offset`, the location's fixed offset and
    its zone (an IANA name; None for UTC)."""

    every: Duration
    period: Duration
    offset: Duration = Duration()
    location_offset: Duration = Duration()
    zone: str | None = None

    def describe(self) -> str:
        """The spec in Flux terms, for `--explain`."""
        def show(d: Duration) -> str:
            return "inf" if d == INF else format_duration(d)

        parts = [f"every={show(self.every)}", f"period={show(self.period)}"]
        if not self.offset.is_zero():
            parts.append(f"offset={show(self.offset)}")
        if self.zone is not None:
            parts.append(f"location.zone={self.zone!r}")
        if not self.location_offset.is_zero():
            parts.append(f"location.offset={show(self.location_offset)}")
        return ", ".join(parts)

    @property
    def infinite(self) -> bool:
        """`every: inf`: one window, the query bounds (how aggregateWindow un-windows)."""
        return self.every == INF

    @property
    def located(self) -> bool:
        """Whether windows follow a named zone's wall clock."""
        return self.zone is not None

    @property
    def zero(self) -> int:
        """Where window 0 starts (ns; a wall-clock reading when located): the epoch less the
        location offset, plus the offset."""
        shifted = add_duration(Time(0), -self.location_offset)
        return add_duration(shifted, self.offset).ns

    def problem(self) -> str | None:
        """Why `every` cannot step windows (upstream's wording), or None."""
        every = self.every
        if every.is_zero():
            return "duration used as an interval cannot be zero"
        if every.months and every.nanoseconds:
            return "duration used as an interval cannot mix month and nanosecond units"
        if every.negative:
            return "duration used as an interval cannot be negative"
        return None

    # -- one window's bounds --------------------------------------------------------------
    def starts(self, index: pl.Expr) -> pl.Expr:
        """Where window `index` starts, unswapped (ns; a wall-clock reading when located)."""
        if self.every.months:
            return _add_months_to(self.zero, index * self.every.months)
        return pl.lit(self.zero, pl.Int64) + index * self.every.nanoseconds

    def bounds(self, index: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
        """The (start, stop) of window `index`, before clipping (ns, instants)."""
        start = self.starts(index)
        stop = _add(start, self.period)
        if self.zone is not None:
            start, stop = self.instant(start), self.instant(stop)
        if self.period.negative:
            return stop, start
        return start, stop

    def with_bounds(self, frame: pl.DataFrame) -> pl.DataFrame:
        """`frame` with the (start, stop) of its window INDEX in START/STOP, before clipping
        (ns, instants): as `bounds`, but one step at a time, so calendar arithmetic is not
        evaluated again for every use of the start."""
        frame = frame.with_columns(self.starts(pl.col(INDEX)).alias(START))
        frame = frame.with_columns(_add(pl.col(START), self.period).alias(STOP))
        if self.zone is not None:
            frame = frame.with_columns(self.instant(pl.col(START)), self.instant(pl.col(STOP)))
        if self.period.negative:
            frame = frame.rename({START: STOP, STOP: START})
        return frame

    def wall(self, t: pl.Expr) -> pl.Expr:
        """The zone's wall-clock reading at instants `t` (ns), as ns of a UTC clock."""
        if self.zone is None:
            return t
        return (t.cast(pl.Datetime("ns", "UTC")).dt.convert_time_zone(self.zone)
                .dt.replace_time_zone(None).dt.epoch("ns"))

    def instant(self, reading: pl.Expr) -> pl.Expr:
        """The instants wall-clock readings in the zone name (upstream's ToLocalClock)."""
        if self.zone is None:
            return reading
        return reading.map_batches(partial(_instants, self.zone), return_dtype=pl.Int64)

    # -- which windows ---------------------------------------------------------------------
    def last_index(self, t: pl.Expr) -> pl.Expr:
        """The last window starting at or before `t` (upstream's lastIndex)."""
        if self.every.months:
            zero = self.zero
            target = _months_since(t) - _before_within_month(t, zero).cast(pl.Int64)
            return (target - _months_since_scalar(zero)).floordiv(self.every.months)
        return (t - self.zero).floordiv(self.every.nanoseconds)

    def spread(self) -> tuple[int, int]:
        """How many windows before and after the last index can still hold a time."""
        every = self.every.months * MONTH_MIN + self.every.nanoseconds
        period = self.period.months * MONTH_MAX + self.period.nanoseconds
        before = -(-max(period, 0) // every) + 1
        after = -(-max(-period, 0) // every) + 1
        return before, after

    def closed_form(self) -> bool:
        """Whether every and period are plain nanoseconds on the UTC clock (no calendar
        arithmetic, no zone)."""
        return not self.every.months and not self.period.months and self.zone is None


def clip(start: pl.Expr, stop: pl.Expr, bounds: Bounds) -> tuple[pl.Expr, pl.Expr]:
    """Window bounds intersected with the query bounds; no overlap gives the query bounds."""
    lo = pl.max_horizontal(start, pl.lit(bounds[0], pl.Int64))
    hi = pl.min_horizontal(stop, pl.lit(bounds[1], pl.Int64))
    overlaps = lo < hi
    return (pl.when(overlaps).then(lo).otherwise(bounds[0]),
            pl.when(overlaps).then(hi).otherwise(bounds[1]))


def assign(frame: pl.DataFrame, time_ns: pl.Expr, window: WindowSpec, bounds: Bounds,
           probe: int = 1) -> pl.DataFrame:
    """Each row once per window holding its time, with the clipped bounds in START/STOP and
    the window's number in INDEX.

    Rows keep their order; a row in several windows repeats (adjacent copies). `probe`: where
    a located window's walk back starts, the reading at time + probe (window() looks from
    t + 1, as its overlap of [t, t+1); aggregateWindow's Go transformation from t).
    """
    if window.infinite:
        return frame.with_columns(pl.lit(bounds[0], pl.Int64).alias(START),
                                  pl.lit(bounds[1], pl.Int64).alias(STOP),
                                  pl.lit(0, pl.Int64).alias(INDEX))
    index = INDEX
    if window.closed_form():
        e, p, z = window.every.nanoseconds, window.period.nanoseconds, window.zero
        hi = (time_ns - min(p, 0) - z).floordiv(e)
        lo = (time_ns - max(p, 0) - z).floordiv(e) + 1
        if 0 < p <= e:  # at most one window: no repeats
            rows = frame.with_columns(hi.alias(index)).filter(lo <= pl.col(index))
        else:
            rows = frame.with_columns(pl.int_ranges(lo, hi + 1).alias(index)).explode(index)
            rows = rows.filter(pl.col(index).is_not_null())
        start, stop = clip(*window.bounds(pl.col(index)), bounds)
        return rows.with_columns(start.alias(START), stop.alias(STOP))
    before, after = window.spread()
    if window.located:
        last = window.last_index(window.wall(time_ns + probe))
        if not window.period.negative:  # upstream walks back from the last window
            after = 0
    else:
        last = window.last_index(time_ns)
    rows = frame.with_columns(pl.int_ranges(last - before, last + after + 1).alias(index))
    rows = rows.explode(index)
    # the bounds of each distinct window once (rows far outnumber windows), joined to rows
    bounds_of = window.with_bounds(rows.select(pl.col(index).unique()))
    rows = rows.join(bounds_of, on=index, how="left", maintain_order="left")
    rows = rows.filter((pl.col(START) <= time_ns) & (time_ns < pl.col(STOP)))
    start, stop = clip(pl.col(START), pl.col(STOP), bounds)
    return rows.with_columns(start.alias(START), stop.alias(STOP))


def within(window: WindowSpec, bounds: Bounds) -> pl.DataFrame:
    """Every window overlapping the query bounds, clipped to them (START/STOP), with its
    number (INDEX), in time order.

    For `every: inf` upstream creates the single window of all time.
    """
    schema = {START: pl.Int64, STOP: pl.Int64, INDEX: pl.Int64}
    if window.infinite:
        return pl.DataFrame({START: [MIN_TIME], STOP: [MAX_TIME], INDEX: [0]}, schema=schema)
    lo, hi = bounds
    if lo >= hi:
        return pl.DataFrame(schema=schema)
    before, after = window.spread()
    if window.located:  # upstream walks back from the window of the reading at `hi`
        ends = pl.DataFrame({"t": [lo, hi]}).select(window.wall(pl.col("t")))
        if not window.period.negative:
            after = 0
    else:
        ends = pl.DataFrame({"t": [lo, hi - 1]})
    first, last = ends.select(window.last_index(pl.col("t"))).to_series().to_list()
    index = pl.int_range(first - before, last + after + 1, dtype=pl.Int64).alias(INDEX)
    windows = window.with_bounds(pl.select(index))
    windows = windows.filter((pl.col(START) < hi) & (pl.col(STOP) > lo))
    start, stop = clip(pl.col(START), pl.col(STOP), bounds)
    return windows.select(start.alias(START), stop.alias(STOP), pl.col(INDEX))


def with_overlap(rows: pl.DataFrame, window: WindowSpec, bounds: Bounds, name: str
                 ) -> pl.DataFrame:
    """`rows` (with INDEX) with a column `name`: whether the row's window, unclipped, overlaps
    the query bounds (computed once per distinct window)."""
    lo, hi = bounds
    of = window.with_bounds(rows.select(pl.col(INDEX).unique()))
    of = of.select(INDEX, ((pl.col(START) < hi) & (pl.col(STOP) > lo)).alias(name))
    return rows.join(of, on=INDEX, how="left", maintain_order="left")


# -- wall clocks -------------------------------------------------------------------------------
def _instants(zone: str, readings: pl.Series) -> pl.Series:
    """The instants (ns) wall-clock readings (ns of a UTC clock) name in `zone`: the earliest
    of a repeated reading; a skipped reading names the transition (found for the few distinct
    skipped readings one by one)."""
    named = (readings.cast(pl.Datetime("ns"))
             .dt.replace_time_zone(zone, ambiguous="earliest", non_existent="null")
             .dt.epoch("ns"))
    skipped = readings.filter(named.is_null() & readings.is_not_null()).unique()
    if not skipped.len():
        return named
    from tsengine.stdlib import timezone  # the stdlib imports this module

    tz = timezone.zone(zone)
    fixes = pl.DataFrame({"r": skipped, "i": [timezone.from_local_clock(tz, r) for r in skipped]},
                         schema={"r": pl.Int64, "i": pl.Int64})
    fixed = pl.DataFrame({"r": readings}).join(fixes, on="r", how="left", maintain_order="left")
    return named.fill_null(fixed.get_column("i")).rename(readings.name)


# -- calendar arithmetic ---------------------------------------------------------------------
def _add(t: pl.Expr, d: Duration) -> pl.Expr:
    """`t + d` as upstream's Time.Add: the month part on the calendar first, then the ns."""
    if d.months:
        t = _add_months(t, pl.lit(d.months, pl.Int64))
    return t + d.nanoseconds if d.nanoseconds else t


def _add_months(t: pl.Expr, months: pl.Expr) -> pl.Expr:
    """`t` (ns) plus whole calendar months, the day clamped to the month's end."""
    dt = t.cast(pl.Datetime("ns"))
    index = dt.dt.year().cast(pl.Int64) * 12 + dt.dt.month().cast(pl.Int64) - 1 + months
    return _date_ns(index, dt.dt.day().cast(pl.Int64)) + t.mod(DAY)


def _add_months_to(t: int, months: pl.Expr) -> pl.Expr:
    """A fixed time `t` (ns) plus whole calendar months per row, the day clamped."""
    days, tod = divmod(t, DAY)
    when = EPOCH_DATE + timedelta(days=days)
    index = pl.lit(when.year * 12 + when.month - 1, pl.Int64) + months
    return _date_ns(index, pl.lit(when.day, pl.Int64)) + tod


def _date_ns(month_index: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Midnight (ns) of `day` in the month `year*12 + month-1`, clamped to its last day."""
    year, month = month_index.floordiv(12), month_index.mod(12) + 1
    last_day = pl.date(year, month, 1).dt.month_end().dt.day().cast(pl.Int64)
    midnight = pl.date(year, month, pl.min_horizontal(day, last_day))
    return midnight.cast(pl.Datetime("ns")).dt.epoch("ns")


def _months_since(t: pl.Expr) -> pl.Expr:
    """Calendar months from the epoch's month to `t`'s."""
    dt = t.cast(pl.Datetime("ns"))
    return dt.dt.year().cast(pl.Int64) * 12 + dt.dt.month().cast(pl.Int64) - 1 - EPOCH_MONTHS


def _months_since_scalar(t: int) -> int:
    day = EPOCH_DATE + timedelta(days=t // DAY)
    return day.year * 12 + day.month - 1 - EPOCH_MONTHS


def _before_within_month(t: pl.Expr, zero: int) -> pl.Expr:
    """Whether `t`'s day and time of day come before `zero`'s within a month."""
    zero_day = (EPOCH_DATE + timedelta(days=zero // DAY)).day
    day = t.cast(pl.Datetime("ns")).dt.day()
    return (day < zero_day) | ((day == zero_day) & (t.mod(DAY) < zero % DAY))


# -- the query bounds, from the plan -------------------------------------------------------
def plan_bounds(node: PlanNode) -> Bounds | None:
    """The time bounds of a node's tables as upstream's planner derives them: a range sets
    them (narrowing any below), other nodes pass on the union of their inputs' bounds; a node
    may define `time_bounds(bounds)` to change them (as timeShift does). None: unbounded."""
    if isinstance(node, StorageRead):
        return node.start, node.stop
    if isinstance(node, StorageAggregate | StorageWindowAggregate):
        return plan_bounds(node.read)
    found: Bounds | None = None
    for child in node.inputs:
        b = plan_bounds(child)
        if b is not None:
            found = b if found is None else _union(found, b)
    if isinstance(node, Range):
        return (node.start, node.stop) if found is None else _intersect(found,
                                                                       (node.start, node.stop))
    time_bounds = getattr(node, "time_bounds", None)
    if callable(time_bounds):
        return time_bounds(found)
    return found


def _union(a: Bounds, b: Bounds) -> Bounds:
    if a[0] >= a[1] or b[0] >= b[1]:
        return (0, 0)
    return min(a[0], b[0]), max(a[1], b[1])


def _intersect(a: Bounds, b: Bounds) -> Bounds:
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo < hi and a[0] < a[1] and b[0] < b[1] else (0, 0)
