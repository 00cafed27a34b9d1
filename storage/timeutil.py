"""Time at the storage edge: a clock to pass around; durations and RFC3339 times as int64 ns."""

from __future__ import annotations

import re
import time as _time
from datetime import UTC, datetime

from storage.errors import InvalidArgument

NS = 1
US = 1_000
MS = 1_000_000
SECOND = 1_000_000_000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
WEEK = 7 * DAY

_UNITS = {"ns": NS, "us": US, "µs": US, "ms": MS, "s": SECOND, "m": MINUTE, "h": HOUR, "d": DAY,
          "w": WEEK}
_DURATION_PART = re.compile(r"(\d+)(ns|us|µs|ms|s|m|h|d|w)")
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|z|[+-]\d{2}:\d{2})?"
)


class Clock:
    """The system clock; storage asks it for `now` instead of reading the wall clock itself."""

    def now(self) -> int:
        """Current time in UTC nanoseconds."""
        return _time.time_ns()


class FixedClock(Clock):
    """A clock that says what it is told: for tests, `--now`, and replaying schedules."""

    def __init__(self, now: int) -> None:
        self._now = now

    def now(self) -> int:
        return self._now

    def set(self, now: int) -> None:
        """Move the clock to another time."""
        self._now = now


def parse_duration(text: str) -> int:
    """A duration like `30d`, `1h30m` or `0` as nanoseconds (no months or years: they vary)."""
    text = text.strip()
    if text in ("0", "inf", "infinite", ""):
        if text == "":
            raise InvalidArgument("empty duration")
        return 0
    pos = 0
    total = 0
    for m in _DURATION_PART.finditer(text):
        if m.start() != pos:
            break
        total += int(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if pos != len(text) or pos == 0:
        raise InvalidArgument(
            f"invalid duration {text!r}: expected e.g. 30d, 12h, 1h30m, 90s or 0 (forever)"
        )
    return total


def format_duration(ns: int) -> str:
    """A duration in the compact form tsengine prints (`7d`, `1h30m`, `0s`)."""
    if ns == 0:
        return "0s"
    out = []
    rest = ns
    for unit, size in (("d", DAY), ("h", HOUR), ("m", MINUTE), ("s", SECOND),
                       ("ms", MS), ("us", US), ("ns", NS)):
        if rest >= size:
            out.append(f"{rest // size}{unit}")
            rest %= size
    return "".join(out)


def format_go_duration(ns: int) -> str:
    """A duration as Go prints it (`168h0m0s`): InfluxDB's wording in retention messages."""
    secs, frac = divmod(ns, SECOND)
    hours, rem = divmod(secs, 3600)
    minutes, seconds = divmod(rem, 60)
    tail = f".{frac:09d}".rstrip("0") if frac else ""
    return f"{hours}h{minutes}m{seconds}{tail}s"


def parse_time(text: str, now: int | None = None) -> int:
    """An RFC3339 time (`2024-01-01T00:00:00.5Z`), a date, integer ns, or `-1h` from now."""
    text = text.strip()
    if re.fullmatch(r"-?\d{10,}", text):
        return int(text)
    if text.startswith("-") and now is not None:
        return now - parse_duration(text[1:])
    m = _RFC3339.fullmatch(text)
    if not m:
        raise InvalidArgument(
            f"invalid time {text!r}: expected RFC3339 (2024-01-01T00:00:00Z), a date, "
            "integer nanoseconds or a negative duration"
        )
    year, month, day, hh, mm, ss, frac, zone = m.groups()
    try:
        dt = datetime(int(year), int(month), int(day), int(hh or 0), int(mm or 0), int(ss or 0),
                      tzinfo=UTC)
    except ValueError as e:
        raise InvalidArgument(f"invalid time {text!r}: {e}") from None
    ns = _seconds_since_epoch(dt) * SECOND + int((frac or "").ljust(9, "0") or 0)
    if zone and zone not in ("Z", "z"):
        sign = 1 if zone[0] == "+" else -1
        ns -= sign * (int(zone[1:3]) * HOUR + int(zone[4:6]) * MINUTE)
    return ns


def _seconds_since_epoch(dt: datetime) -> int:
    return int((dt - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds())


def format_time(ns: int) -> str:
    """RFC3339 with nanoseconds, trailing zeros trimmed, as InfluxDB prints times."""
    secs, frac = divmod(ns, SECOND)
    dt = datetime.fromtimestamp(secs, UTC)
    tail = f".{frac:09d}".rstrip("0") if frac else ""
    return dt.strftime("%Y-%m-%dT%H:%M:%S") + tail + "Z"


def day_of(ns: int) -> int:
    """The UTC day number (days since 1970-01-01) a time falls in."""
    return ns // DAY
