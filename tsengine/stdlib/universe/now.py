"""`now()`: the script's current time, fixed for the whole run (the `now` option overrides it)."""

from __future__ import annotations

from tsengine.flux.functions import CallContext
from tsengine.flux.registry import builtin
from tsengine.flux.values import Time


@builtin("now")
def now(ctx: CallContext) -> Time:
    return ctx.interp.now()
