"""Flux runtime values: how each Flux type is held in Python, named and printed.

int -> Python int (int64 range), float -> float, string -> str, bool -> bool, null -> None;
uint, time, duration, regexp, record, array, dict and functions have classes here. A Duration
keeps months and nanoseconds apart, because a month has no fixed length.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from storage.regex import RegexSyntaxError, python_regex

NS_PER = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000,
          "w": 604_800_000_000_000}
MONTHS_PER = {"mo": 1, "y": 12}
# range() flattens months to nanoseconds this way (upstream: 1y = 8766h)
NS_PER_MONTH_APPROX = 8766 * 3_600_000_000_000 // 12
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


def wrap_int64(value: int) -> int:
    """Two's-complement wrap, as Go's int64 arithmetic does."""
    return (value + 2**63) % 2**64 - 2**63


@dataclass(frozen=True)
class UInt:
    """An unsigned 64-bit integer (Python's int cannot tell uint from int)."""

    value: int

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", self.value % 2**64)


@dataclass(frozen=True, order=True)
class Time:
    """A point in time: UTC nanoseconds since the Unix epoch."""

    ns: int


@dataclass(frozen=True)
class Duration:
    """A duration: calendar months plus nanoseconds, both of the same sign."""

    months: int = 0
    nanoseconds: int = 0

    @classmethod
    def of(cls, values: tuple[tuple[int, str], ...]) -> Duration:
        months = sum(n * MONTHS_PER[u] for n, u in values if u in MONTHS_PER)
        ns = sum(n * NS_PER[u] for n, u in values if u in NS_PER)
        return cls(months, ns)

    def __neg__(self) -> Duration:
        return Duration(-self.months, -self.nanoseconds)

    @property
    def negative(self) -> bool:
        return self.months < 0 or self.nanoseconds < 0

    def approx_ns(self) -> int:
        """Nanoseconds with months flattened as range() flattens them (1mo = 730h30m)."""
        return self.months * NS_PER_MONTH_APPROX + self.nanoseconds

    def is_zero(self) -> bool:
        return self.months == 0 and self.nanoseconds == 0


@dataclass(frozen=True)
class Regex:
    """A regular expression in RE2 syntax, as Go's regexp reads it."""

    pattern: str

    @property
    def compiled(self) -> re.Pattern[str]:
        """For Python's `re`, translated to mean what RE2 means (`\\d` ASCII, `$` at the end);
        an OperatorError for what Python cannot express (`\\pL`: only compiled forms have it)."""
        try:
            return python_regex(self.pattern)
        except RegexSyntaxError as e:
            from tsengine.flux.operators import OperatorError  # operators imports this module

            raise OperatorError(f"regular expression /{self.pattern}/: {e}") from None


class Record(Mapping[str, Any]):
    """An immutable record `{a: 1, b: "x"}`; a `row` record (a table row) reads missing keys as
    null. `null_types` names the Flux types of null properties where known: upstream's nulls are
    typed (`debug.null(type: "bool")`, a null cell of a float column), and a column built from
    records takes its type from them; equality ignores it, as a null equals a null."""

    __slots__ = ("_items", "row", "null_types")

    def __init__(self, items: Mapping[str, Any] | None = None, row: bool = False,
                 null_types: Mapping[str, str] | None = None) -> None:
        self._items = dict(items or {})
        self.row = row
        self.null_types: Mapping[str, str] = null_types or {}

    def __getitem__(self, key: str) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Record) and self._items == other._items

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __repr__(self) -> str:
        return "{" + ", ".join(f"{k}: {format_value(v)}" for k, v in self._items.items()) + "}"

    def null_type(self, key: str) -> str | None:
        """The Flux type of property `key` when it is null, if known."""
        return self.null_types.get(key) if self._items.get(key) is None else None

    def extend(self, updates: Mapping[str, Any],
               null_types: Mapping[str, str] | None = None) -> Record:
        """`{r with ...}`: overrides and additions, the rest kept."""
        merged = dict(self._items)
        merged.update(updates)
        types = dict(self.null_types)
        for key in updates:
            types.pop(key, None)
        types.update(null_types or {})
        return Record(merged, self.row, types)


class Array(tuple):  # type: ignore[type-arg]
    """A Flux array (homogeneous, immutable)."""

    def __repr__(self) -> str:
        return "[" + ", ".join(format_value(v) for v in self) + "]"


class Dict(Mapping[Any, Any]):
    """A Flux dictionary `["a": 1]`."""

    def __init__(self, items: Mapping[Any, Any] | None = None) -> None:
        self._items = dict(items or {})

    def __getitem__(self, key: Any) -> Any:
        return self._items[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        if not self._items:
            return "[:]"
        return "[" + ", ".join(f"{format_value(k)}: {format_value(v)}"
                               for k, v in self._items.items()) + "]"


def type_name(value: object) -> str:
    """Flux's name for a value's type."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    declared = getattr(value, "flux_type_name", None)  # values defined elsewhere (streams)
    if isinstance(declared, str):
        return declared
    for cls, name in ((float, "float"), (str, "string"), (UInt, "uint"), (Time, "time"),
                      (Duration, "duration"), (Regex, "regexp"), (Record, "record"),
                      (Array, "array"), (Dict, "dict")):
        if isinstance(value, cls):
            return name
    if callable(getattr(value, "call", None)):
        return "function"
    return type(value).__name__


def a_type(value: object) -> str:
    """A value's type with its article, for messages: `an int`, `a string`."""
    kind = type_name(value)
    return ("an " if kind[0] in "aeiou" else "a ") + kind


def add_duration(t: Time, d: Duration) -> Time:
    """Calendar arithmetic: months first (day clamped to the month's end), then nanoseconds."""
    ns = t.ns
    if d.months:
        secs, frac = divmod(ns, 1_000_000_000)
        dt = datetime.fromtimestamp(secs, UTC)
        month_index = dt.year * 12 + (dt.month - 1) + d.months
        year, month = divmod(month_index, 12)
        month += 1
        day = min(dt.day, calendar.monthrange(year, month)[1])
        moved = dt.replace(year=year, month=month, day=day)
        ns = int(moved.timestamp()) * 1_000_000_000 + frac
    return Time(ns + d.nanoseconds)


def format_float(f: float) -> str:
    """Go's FormatFloat(f, 'f', -1): shortest round-trip digits, never an exponent."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    text = format(Decimal(repr(f)), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def format_time(t: Time) -> str:
    """A time as Flux strings it: RFC3339 with a fixed 9-digit fraction."""
    secs, frac = divmod(t.ns, 1_000_000_000)
    return datetime.fromtimestamp(secs, UTC).strftime("%Y-%m-%dT%H:%M:%S") + f".{frac:09d}Z"


def format_duration(d: Duration) -> str:
    """Canonical duration text: `1h30m`, `1mo5d`, `1y2mo`, `-5m`, `0ns`."""
    if d.is_zero():
        return "0ns"
    sign = "-" if d.negative else ""
    months, ns = abs(d.months), abs(d.nanoseconds)
    out = []
    if months:
        years, months = divmod(months, 12)
        out += [f"{years}y"] if years else []
        out += [f"{months}mo"] if months else []
    for unit in ("w", "d", "h", "m", "s", "ms", "us", "ns"):
        size = NS_PER[unit]
        if ns >= size:
            out.append(f"{ns // size}{unit}")
            ns %= size
    return sign + "".join(out)


def format_value(value: object) -> str:
    """A value as string interpolation and `string(v:)` print it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    if isinstance(value, UInt):
        return str(value.value)
    if isinstance(value, Time):
        return format_time(value)
    if isinstance(value, Duration):
        return format_duration(value)
    if isinstance(value, Regex):
        return value.pattern
    if isinstance(value, str):
        return value
    return repr(value)
