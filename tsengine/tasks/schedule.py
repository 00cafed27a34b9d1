"""When a task runs: InfluxDB 2.x OSS's schedule for `every`, `cron` and `offset`, to the second.

What upstream does (influxdata/influxdb main-2.x, influxdata/flux v0.200.0, influxdata/cron), and so
what this module does:

- `every` is the cron string `@every <every>` (task/options/options.go EffectiveCronString). A task
  is scheduled from max(latestScheduled, latestCompleted) (task/backend/coordinator/coordinator.go
  NewSchedulableTask); task/backend/scheduler/scheduler.go NewSchedule cuts that time to whole
  seconds and, for `@every`, with Go's time.Truncate to a multiple of the duration counted from
  0001-01-01T00:00:00Z (not the Unix epoch); the first run is the cron Next of that time. So `1h`
  runs on UTC hours, `1d` at UTC midnight, `1w` on Mondays, `7m` at Unix times = 360 s (mod 420 s),
  `3d` on Unix days = 1 (mod 3); a time exactly on a boundary gives the next boundary.
- The truncation unit is flux's ast.DurationFrom (flux ast/ast.go toDuration): `d` is 24h, `w` 7d,
  but each `mo` term becomes int(n * 365.25 / 12 / 7) weeks (`y` counts as 12mo first): `1mo`
  truncates to 28 days, `1y` to 364 days, `1mo2d` to 30 days. When it cannot read a term (a cron
  `@every 1hr`), nothing is truncated beyond the second.
- influxdata/cron cron.go Next for `@every`: from.AddDate(years, months, days) plus whole seconds.
  Go's AddDate normalizes rather than clamps (Jan 31 + 1mo = Mar 3) and each run follows from the
  previous scheduled time (treescheduler.go updateNext): no drift. `@every` terms (parse.rl): y and
  mo set the year and month counts, w/d add days, h(r)/m/s/ms/us/ns add time; the sum is cut to
  whole seconds; a sum under a second is refused here (upstream accepts it and never runs).
- Field crons (parse.rl, cron.go): UTC only; 5 fields (seconds 0), 6 (seconds first), 7 (years
  last, 1970..2099); day of month AND day of week must both match (prepDays), unlike Vixie cron's
  OR; Next is the first tick strictly after the time cut to seconds, and none after 2099. Upstream
  quirks kept: a day-of-week step counts from 0 (`1/2` is Tue,Thu,Sat), a day-of-week range may end
  at 7 meaning 6 (`1-7` is Mon..Sat), a year with a step but no range is that year alone; 7 alone
  is refused. Refused here though upstream reads them oddly: a range whose start is after its end,
  a step of 0, day 0 or month 0 in a list, names in the day-of-month field. Ticks come from
  croniter with day_or=False.
- A run fires once scheduledFor + offset <= now (treescheduler.go); offset never moves the window.

previous(sf) is the start of the window `range(start: -task.every)` covers in a run whose now() is
sf: sf - every with Flux's calendar arithmetic (months clamp to the month's end), or the previous
cron tick.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from croniter import CroniterBadDateError, croniter

from tsengine.errors import TaskError
from tsengine.flux.values import NS_PER, Duration, Time, add_duration

if TYPE_CHECKING:
    from tsengine.tasks.options import TaskOptions

SECOND = 1_000_000_000
DAY = 86_400 * SECOND
WEEK = 7 * DAY
# Go's time.Truncate counts from the zero time, 0001-01-01T00:00:00Z: this many ns before the epoch
ZERO_TIME = -62_135_596_800 * SECOND
WEEKS_PER_MONTH = 365.25 / 12 / 7  # flux ast.DurationFrom's month
LAST_YEAR = 2099  # influxdata/cron finds no time after 2099
_EPOCH = datetime(1970, 1, 1)
_SPACE = " \t\n\v\f\r"


@dataclass(frozen=True)
class Schedule:
    """A task's schedule: `every` or `cron` (one of them), and the offset its runs fire at."""

    every: Duration | None
    cron: str | None
    offset: Duration = Duration()
    _plan: _Every | _Cron = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if (self.every is None) == (self.cron is None):
            raise TaskError("a schedule needs exactly one of every or cron")
        plan = _every_plan(self.every) if self.every is not None else parse_cron(self.cron or "")
        object.__setattr__(self, "_plan", plan)

    @classmethod
    def of(cls, options: TaskOptions) -> Schedule:
        """The schedule a script's `option task` declares."""
        return cls(options.every, options.cron, options.offset)

    def first_after(self, t: int) -> int:
        """The first scheduled time of a task (re)scheduled at t (creation, activation, update)."""
        for sf in self._plan.ticks(t):
            return sf
        raise TaskError(f"cron {self.cron!r} has no time after {_rfc3339(t)}")

    def next_after(self, scheduled_for: int) -> int:
        """The scheduled time that follows a scheduled time."""
        for sf in self._plan.ticks_after(scheduled_for):
            return sf
        raise TaskError(f"cron {self.cron!r} has no time after {_rfc3339(scheduled_for)}")

    def previous(self, scheduled_for: int) -> int:
        """Start of the window that ends at scheduled_for: scheduled_for - every (calendar-aware for
        mo/y), or for cron the previous cron tick before scheduled_for."""
        start = self._plan.previous(scheduled_for)
        if start is None:
            raise TaskError(f"cron {self.cron!r} has no time before {_rfc3339(scheduled_for)}")
        return start

    def run_at(self, scheduled_for: int) -> int:
        """When the run fires: scheduled_for + offset (offset may be negative)."""
        return add_duration(Time(scheduled_for), self.offset).ns

    def due(self, after: int, now: int) -> Iterator[int]:
        """Scheduled times from first_after(after) on whose run_at <= now, in order (lazy)."""
        for sf in self._plan.ticks(after):
            if self.run_at(sf) > now:
                return
            yield sf

    def within(self, start: int, stop: int) -> list[int]:
        """Backfill: every scheduled time whose window [previous(sf), sf) lies inside [start, stop].
        For every: 1h, start 00:00 and stop 03:00 give 01:00, 02:00 and 03:00."""
        found = []
        for sf in self._plan.ticks(start):
            if sf > stop:
                break
            begin = self._plan.previous(sf)
            if begin is not None and begin >= start:
                found.append(sf)
        return found


# -- every: @every <duration> ------------------------------------------------------------------
@dataclass(frozen=True)
class _Every:
    """`@every`: months by Go's AddDate, then a fixed step; `align` truncates the first time."""

    months: int
    step: int  # ns, whole seconds (days are 24h in UTC)
    align: int  # ns; 0: only cut to the second

    def ticks(self, t: int) -> Iterator[int]:
        t -= t % SECOND
        if self.align > 0:
            t -= (t - ZERO_TIME) % self.align
            t -= t % SECOND
        return self.ticks_after(t)

    def ticks_after(self, t: int) -> Iterator[int]:
        while True:
            t = _add_months_go(t, self.months) + self.step
            yield t

    def previous(self, t: int) -> int | None:
        return add_duration(Time(t), Duration(-self.months, -self.step)).ns


def _every_plan(every: Duration) -> _Every:
    if every.negative or (every.months == 0 and every.nanoseconds < SECOND):
        raise TaskError(f"every must be at least 1s, not {every}")
    if every.nanoseconds % SECOND:
        raise TaskError("every must be a whole number of seconds")
    align = int(every.months * WEEKS_PER_MONTH) * WEEK + every.nanoseconds
    return _Every(every.months, every.nanoseconds, align)


def _add_months_go(t: int, months: int) -> int:
    """Go's t.AddDate(0, months, 0): the day is kept and overflows into the next month."""
    if not months:
        return t
    secs, frac = divmod(t, SECOND)
    dt = _EPOCH + timedelta(seconds=secs)
    year, month = divmod(dt.year * 12 + dt.month - 1 + months, 12)
    moved = datetime(year, month + 1, 1) + (dt - datetime(dt.year, dt.month, 1))
    return (moved - _EPOCH) // timedelta(seconds=1) * SECOND + frac


_EVERY_TERM = re.compile(r"([0-9]+)(mo|ms|ns|[uµ]s?|hr?|y|s|m|d|w)", re.IGNORECASE)
_EVERY_NS = {"ns": 1, "u": 1_000, "us": 1_000, "µ": 1_000, "µs": 1_000, "ms": NS_PER["ms"],
             "s": SECOND, "m": NS_PER["m"], "h": NS_PER["h"], "hr": NS_PER["h"]}


def _parse_every(text: str) -> _Every:
    """influxdata/cron's `@every` terms; alignment as scheduler.NewSchedule reads the same text."""
    years = months = days = ns = 0
    pos, text = 0, text.strip(_SPACE)
    while pos < len(text):
        if text[pos] in _SPACE:
            pos += 1
            continue
        m = _EVERY_TERM.match(text, pos)
        if not m:
            raise TaskError(f"cannot read @every duration at {text[pos:]!r}")
        n, unit = int(m.group(1)), m.group(2).lower()
        if unit == "y":
            years = n
        elif unit == "mo":
            months = n
        elif unit in ("d", "w"):
            days += n * (7 if unit == "w" else 1)
        else:
            ns += n * _EVERY_NS[unit]
        pos = m.end()
    step = days * DAY + ns // SECOND * SECOND
    if not years and not months and not step:
        raise TaskError("@every needs a duration of at least 1s")
    return _Every(years * 12 + months, step, _align_of(text))


_FLUX_TERM = re.compile(r"([0-9]+)([^\W\d_]+)")
_GO_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": NS_PER["ms"], "s": SECOND,
             "m": NS_PER["m"], "h": NS_PER["h"], "d": DAY, "w": WEEK}


def _align_of(text: str) -> int:
    """The truncation unit flux's ast.DurationFrom gives the text; 0 when it cannot read it."""
    total, pos = 0, 0
    while pos < len(text):
        m = _FLUX_TERM.match(text, pos)
        if not m:
            return 0
        n, unit = int(m.group(1)), m.group(2)
        if unit in ("y", "mo"):
            total += int(n * (12 if unit == "y" else 1) * WEEKS_PER_MONTH) * WEEK
        elif unit in _GO_UNITS:
            total += n * _GO_UNITS[unit]
        else:
            return 0
        pos = m.end()
    return total


# -- cron fields --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    max_step: int
    names: tuple[str, ...] = ()  # names[i] is the value `first_name + i`
    first_name: int = 0

    def number(self, text: str, *, end: bool = False) -> int:
        if text.isdigit():
            value = int(text)
        elif text.lower() in self.names:
            value = self.names.index(text.lower()) + self.first_name
        else:
            raise TaskError(f"{self.name} {text!r} is not a number")
        if self is _DOW and end and value == 7:
            value = 6  # upstream: a range ending at 7 ends on Saturday
        if not self.low <= value <= self.high:
            raise TaskError(f"{self.name} {value} is outside {self.low}-{self.high}")
        return value


_SECOND_F = _Field("second", 0, 59, 59)
_MINUTE = _Field("minute", 0, 59, 59)
_HOUR = _Field("hour", 0, 23, 23)
_DOM = _Field("day of month", 1, 31, 30)
_MONTH = _Field("month", 1, 12, 12, ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug",
                                      "sep", "oct", "nov", "dec"), 1)
_DOW = _Field("day of week", 0, 6, 7, ("sun", "mon", "tue", "wed", "thu", "fri", "sat"))
_YEAR = _Field("year", 1970, LAST_YEAR, 128)
_FIELDS = (_SECOND_F, _MINUTE, _HOUR, _DOM, _MONTH, _DOW, _YEAR)
_ITEM = re.compile(r"(?:(\*)|([0-9]+|[a-z]+)(?:-([0-9]+|[a-z]+))?)(?:/([0-9]+))?",
                   re.ASCII | re.IGNORECASE)
_MACROS = {"yearly": "0 0 0 1 1 *", "annually": "0 0 0 1 1 *", "monthly": "0 0 0 1 * *",
           "weekly": "0 0 0 * * 0", "daily": "0 0 0 * * *", "midnight": "0 0 0 * * *",
           "hourly": "0 0 * * * *", "every_minute": "0 * * * * *", "every_second": "* * * * * *"}


def _item_values(item: str, f: _Field) -> set[int]:
    m = _ITEM.fullmatch(item)
    if not m:
        raise TaskError(f"cannot read {f.name} {item!r}")
    star, first, last, step_text = m.groups()
    step = int(step_text) if step_text is not None else 1
    if not 1 <= step <= f.max_step:
        raise TaskError(f"{f.name} step {step} is outside 1-{f.max_step}")
    if star:
        low, high = f.low, f.high
    else:
        low = f.number(first)
        if last is None and step_text is None:
            return {low}
        high = f.number(last, end=True) if last is not None else (low if f is _YEAR else f.high)
        if low > high:
            raise TaskError(f"{f.name} range {item!r} starts after it ends")
    if f is _DOW:  # upstream steps days of the week from 0, whatever the range's start
        return {v for v in range(low, high + 1) if v % step == 0}
    return set(range(low, high + 1, step))


def _field_values(text: str, f: _Field) -> set[int]:
    values: set[int] = set()
    for item in text.split(","):
        values |= _item_values(item, f)
    if not values:
        raise TaskError(f"{f.name} {text!r} matches nothing")
    return values


@dataclass(frozen=True)
class _Cron:
    """A field cron as croniter reads it: seconds first, explicit values, years when restricted."""

    expr: str

    def _iter(self, t: int) -> croniter:
        return croniter(self.expr, datetime.fromtimestamp(t // SECOND, UTC), ret_type=datetime,
                        second_at_beginning=True, day_or=False, max_years_between_matches=130)

    def ticks(self, t: int) -> Iterator[int]:
        return self.ticks_after(t)

    def ticks_after(self, t: int) -> Iterator[int]:
        it = self._iter(t)
        while True:
            try:
                tick = it.get_next()
            except CroniterBadDateError:
                return
            if tick.year > LAST_YEAR:
                return
            yield int(tick.timestamp()) * SECOND

    def previous(self, t: int) -> int | None:
        ceiling = t + (-t) % SECOND
        try:
            return int(self._iter(ceiling).get_prev().timestamp()) * SECOND
        except CroniterBadDateError:
            return None


def parse_cron(text: str) -> _Every | _Cron:
    """A cron string as influxdata/cron's ParseUTC reads it; TaskError saying what is wrong."""
    stripped = text.strip(_SPACE)
    if stripped.startswith("@"):
        name = stripped[1:]
        if name in _MACROS:
            return parse_cron(_MACROS[name])
        if name.startswith("every") and name[5:6] and name[5] in _SPACE:
            return _parse_every(name[5:])
        raise TaskError(f"unknown cron macro {stripped!r}")
    fields = re.split(f"[{_SPACE}]+", stripped) if stripped else []
    if len(fields) not in (5, 6, 7):
        raise TaskError(f"a cron needs 5, 6 or 7 fields, not {len(fields)}")
    if len(fields) == 5:
        fields = ["0", *fields]
    if len(fields) == 6:
        fields.append("*")
    parts = []
    for text_field, f in zip(fields, _FIELDS, strict=True):
        values = _field_values(text_field, f)
        full = values == set(range(f.low, f.high + 1))
        if f is _YEAR and full:
            continue
        parts.append("*" if full else ",".join(map(str, sorted(values))))
    return _Cron(" ".join(parts))


def validate_cron(text: str) -> None:
    """Refuse a cron string InfluxDB refuses (TaskError with the reason)."""
    parse_cron(text)


def _rfc3339(t: int) -> str:
    return (_EPOCH + timedelta(seconds=t // SECOND)).strftime("%Y-%m-%dT%H:%M:%SZ")
