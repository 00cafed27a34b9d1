"""The `date` package, as upstream's: parts of a time read on a location's wall clock,
calendar arithmetic and truncation.

`t` may be a time or a duration (relative to `now()`). `location` defaults to the `location`
option (UTC); a named zone reads the wall clock with its daylight-saving rules, and the
location's `offset` is added on top. `second`, `millisecond`, `microsecond` and `nanosecond`
take no location, as upstream. `weekDay` counts from Sunday = 0, `week` is the ISO week.
`add`/`sub` step calendar months on the wall clock when a zone is named; `truncate` is the
start of the window of `unit` holding `t`, as `window()` would place it. Called over rows in
map/filter, the UTC-zone forms are Polars expressions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from tsengine.flux.lambdas import CallArg, CompiledCall, NotCompilable, expression_form
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import Duration, Record, Time, add_duration, type_name
from tsengine.stdlib.timezone import from_local_clock, local_clock, location_parts, zone

PKG = "date"
_NS = 1_000_000_000
_EPOCH = dt.datetime(1970, 1, 1)

for _i, _day in enumerate(("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                           "Saturday")):
    REGISTRY.add(_i, _day, PKG)
for _i, _month in enumerate(("January", "February", "March", "April", "May", "June", "July",
                             "August", "September", "October", "November", "December"), 1):
    REGISTRY.add(_i, _month, PKG)


# -- arguments ----------------------------------------------------------------------------------
def timeable(ctx: Any, t: Any, name: str = "t") -> int:
    """A time argument (ns): a time, or a duration from now()."""
    if isinstance(t, Time):
        return t.ns
    if isinstance(t, Duration):
        return add_duration(ctx.interp.now(), t).ns
    raise OperatorError(f'argument "{name}" must be a time or a duration, found {type_name(t)}')


def _location(ctx: Any, location: Any) -> tuple[str, Duration]:
    if location is None:
        location = ctx.interp.options.lookup("location")
    return location_parts(f"date.{ctx.name}()", location)


def wall_clock(ctx: Any, t: Any, location: Any) -> dt.datetime:
    """The wall clock reading of t at the location (its offset added)."""
    ns = timeable(ctx, t)
    name, offset = _location(ctx, location)
    if name != "UTC":
        ns = local_clock(zone(name), ns)
    ns = add_duration(Time(ns), offset).ns
    return _datetime(ns)


def _datetime(ns: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=ns // 1000)


# -- parts of a time ----------------------------------------------------------------------------
def _part(name: str, read: Any) -> None:
    def impl(ctx: Any, t: Any, location: Any = None) -> int:
        return int(read(wall_clock(ctx, t, location)))

    builtin(name, package=PKG)(impl)


_PARTS: dict[str, Any] = {
    "minute": lambda d: d.minute, "hour": lambda d: d.hour,
    "weekDay": lambda d: d.isoweekday() % 7, "monthDay": lambda d: d.day,
    "yearDay": lambda d: d.timetuple().tm_yday, "month": lambda d: d.month,
    "year": lambda d: d.year, "week": lambda d: d.isocalendar()[1],
    "quarter": lambda d: (d.month + 2) // 3,
}
for _name, _read in _PARTS.items():
    _part(_name, _read)


@builtin("second", package=PKG)
def second(ctx: Any, t: Any) -> int:
    return timeable(ctx, t) // _NS % 60


@builtin("millisecond", package=PKG)
def millisecond(ctx: Any, t: Any) -> int:
    return timeable(ctx, t) % _NS // 1_000_000


@builtin("microsecond", package=PKG)
def microsecond(ctx: Any, t: Any) -> int:
    return timeable(ctx, t) % _NS // 1_000


@builtin("nanosecond", package=PKG)
def nanosecond(ctx: Any, t: Any) -> int:
    return timeable(ctx, t) % _NS


@builtin("time", package=PKG)
def time(ctx: Any, t: Any, location: Any = None) -> Time:
    """The wall clock reading as a time (upstream's date.time)."""
    ns = timeable(ctx, t)
    name, offset = _location(ctx, location)
    if name != "UTC":
        ns = local_clock(zone(name), ns)
    return add_duration(Time(ns), offset)


# -- arithmetic ---------------------------------------------------------------------------------
def _shifted(ctx: Any, ns: int, d: Duration, location: Any) -> Time:
    """t + d stepped on the location's wall clock (upstream's addDuration)."""
    name, offset = _location(ctx, location)
    t = add_duration(Time(ns), offset)
    if name != "UTC":
        tz = zone(name)
        moved = add_duration(Time(local_clock(tz, t.ns)), d)
        t = Time(from_local_clock(tz, moved.ns))
    else:
        t = add_duration(t, d)
    return add_duration(t, -offset)


def _duration(name: str, d: Any) -> Duration:
    if not isinstance(d, Duration):
        raise OperatorError(f'argument "{name}" must be a duration, found {type_name(d)}')
    return d


@builtin("add", package=PKG)
def add(ctx: Any, d: Any, to: Any, location: Any = None) -> Time:
    return _shifted(ctx, timeable(ctx, to, "to"), _duration("d", d), location)


@builtin("sub", package=PKG)
def sub(ctx: Any, d: Any, from_: Any, location: Any = None) -> Time:
    return _shifted(ctx, timeable(ctx, from_, "from"), -_duration("d", d), location)


@builtin("scale", package=PKG)
def scale(ctx: Any, d: Any, n: Any) -> Duration:
    if not isinstance(d, Duration):
        raise OperatorError(f'keyword argument "scale" should be of kind duration, but got '
                            f"{type_name(d)}")
    if isinstance(n, bool) or not isinstance(n, int):
        raise OperatorError(f'keyword argument "n" should be of kind int, but got '
                            f"{type_name(n)}")
    return Duration(d.months * n, d.nanoseconds * n)


# -- truncate -----------------------------------------------------------------------------------
def _unit_problem(unit: Duration) -> str | None:
    if unit.is_zero():
        return "duration used as an interval cannot be zero"
    if unit.months and unit.nanoseconds:
        return "duration used as an interval cannot mix month and nanosecond units"
    if unit.negative:
        return "duration used as an interval cannot be negative"
    return None


def _months_since(d: dt.datetime) -> int:
    return (d.year - 1970) * 12 + d.month - 1


def window_start(ns: int, unit: Duration, offset: Duration) -> int:
    """The start of the window of `unit` holding `ns`, windows starting at the epoch less
    `offset` (upstream's Window.GetLatestBounds, UTC)."""
    zero = add_duration(Time(0), -offset).ns
    if unit.months:
        t, z = _datetime(ns), _datetime(zero)
        target = _months_since(t)
        if (t.day, ns % (86_400 * _NS)) < (z.day, zero % (86_400 * _NS)):
            target -= 1
        index = (target - _months_since(z)) // unit.months
        return add_duration(Time(zero), Duration(unit.months * index)).ns
    return zero + (ns - zero) // unit.nanoseconds * unit.nanoseconds


@builtin("truncate", package=PKG)
def truncate(ctx: Any, t: Any, unit: Any, location: Any = None) -> Time:
    ns = timeable(ctx, t)
    unit = _duration("unit", unit)
    problem = _unit_problem(unit)
    if problem is not None:
        raise OperatorError(problem)
    name, offset = _location(ctx, location)
    if name == "UTC":
        return Time(window_start(ns, unit, offset))
    tz = zone(name)
    start = window_start(local_clock(tz, ns), unit, offset)
    return Time(from_local_clock(tz, start))


# -- expression forms (UTC zone, fixed offset) ------------------------------------------------
def _time_arg(args: dict[str, CallArg]) -> pl.Expr:
    t = args.get("t")
    if t is None or t.kind != "time" or t.constant:
        raise NotCompilable("date function of something else than a row time")
    return t.expr


def _fixed_offset(args: dict[str, CallArg], interp: Any) -> Duration:
    arg = args.get("location")
    location = interp.options.lookup("location") if arg is None else arg.value
    if arg is not None and not arg.constant or not isinstance(location, Record):
        raise NotCompilable("a location that is not a constant record")
    try:
        name, offset = location_parts("date", location)
    except OperatorError:
        raise NotCompilable("an invalid location") from None
    if name != "UTC" or offset.months:
        raise NotCompilable("a named zone or a calendar offset")
    return offset


_PART_EXPRS: dict[str, Any] = {
    "minute": lambda d: d.dt.minute(), "hour": lambda d: d.dt.hour(),
    "weekDay": lambda d: d.dt.weekday() % 7, "monthDay": lambda d: d.dt.day(),
    "yearDay": lambda d: d.dt.ordinal_day(), "month": lambda d: d.dt.month(),
    "year": lambda d: d.dt.year(), "week": lambda d: d.dt.week(),
    "quarter": lambda d: d.dt.quarter(),
}


def _part_form(name: str, read: Any) -> None:
    @expression_form(name, PKG)
    def form(args: dict[str, CallArg], interp: Any) -> CompiledCall:
        t = _time_arg(args)
        offset = _fixed_offset(args, interp)
        local = t + pl.duration(nanoseconds=offset.nanoseconds) if offset.nanoseconds else t
        return read(local).cast(pl.Int64), "int", [t.is_null()]


for _name, _read in _PART_EXPRS.items():
    _part_form(_name, _read)


def _sub_second_form(name: str, divisor: int, modulo: int) -> None:
    @expression_form(name, PKG)
    def form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
        t = _time_arg(args)
        ns = t.dt.epoch("ns")
        return ns.floordiv(divisor).mod(modulo), "int", [t.is_null()]


_sub_second_form("second", _NS, 60)
_sub_second_form("millisecond", 1_000_000, 1000)
_sub_second_form("microsecond", 1_000, 1_000_000)
_sub_second_form("nanosecond", 1, _NS)


@expression_form("truncate", PKG)
def _truncate_form(args: dict[str, CallArg], interp: Any) -> CompiledCall:
    t = _time_arg(args)
    unit = args.get("unit")
    if unit is None or not unit.constant or not isinstance(unit.value, Duration) \
            or unit.value.months or _unit_problem(unit.value):
        raise NotCompilable("a unit that is not a constant of nanoseconds")
    offset = _fixed_offset(args, interp)
    every = unit.value.nanoseconds
    zero = -offset.nanoseconds
    ns = t.dt.epoch("ns")
    start = (ns - zero).floordiv(every) * every + zero
    return start.cast(pl.Datetime("ns", "UTC")), "time", [t.is_null()]
