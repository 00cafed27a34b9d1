"""`experimental.addDuration(d:, to:, location:)` and `experimental.subDuration(d:, from:,
location:)`: calendar arithmetic on a time (upstream: date.add / date.sub).

`to`/`from` may be a time or a duration relative to now(). Months move the date in the
location's local time (the day clamped to the month's end), then nanoseconds are added.
"""

from __future__ import annotations

from typing import Any

from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, Time, add_duration, type_name
from tsengine.stdlib.universe.window import location_offset


@builtin("addDuration", package="experimental")
def add_duration_(ctx: CallContext, d: Any, to: Any, location: Any = None) -> Time:
    return shifted(ctx, "experimental.addDuration", d, to, location, negate=False)


@builtin("subDuration", package="experimental")
def sub_duration(ctx: CallContext, d: Any, from_: Any, location: Any = None) -> Time:
    return shifted(ctx, "experimental.subDuration", d, from_, location, negate=True)


def shifted(ctx: CallContext, function: str, d: Any, start: Any, location: Any,
            negate: bool) -> Time:
    """`start` moved by `d` (back by `d` when `negate`), in the location's local calendar."""
    if not isinstance(d, Duration):
        raise OperatorError(f"{function}(): d must be a duration, found {type_name(d)}")
    now = ctx.interp.now()
    if isinstance(start, Duration):
        start = add_duration(now, start)
    if not isinstance(start, Time):
        raise OperatorError(f"{function}(): expected a time or a duration, found "
                            f"{type_name(start)}")
    step = -d if negate else d
    if not step.months:
        return Time(start.ns + step.nanoseconds)
    offset = location_offset(function, ctx.interp, location).nanoseconds
    local = add_duration(Time(start.ns + offset), step)
    return Time(local.ns - offset)
