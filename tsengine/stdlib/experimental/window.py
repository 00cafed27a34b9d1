"""`experimental.window(every:, period:, offset:, location:, createEmpty:)`: universe `window`
with the default time and bound columns (upstream registers the same operation under it)."""

from __future__ import annotations

from typing import Any

from tsengine.flux.functions import CallContext
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import Stream
from tsengine.stdlib.universe.window import ZERO
from tsengine.stdlib.universe.window import window as universe_window


@builtin("window", package="experimental", pipe="tables")
def window(ctx: CallContext, tables: Any, every: Any = ZERO, period: Any = ZERO,
           offset: Any = ZERO, location: Any = None,
           createEmpty: Any = False) -> Stream:  # noqa: N803
    return universe_window(ctx, tables, every=every, period=period, offset=offset,
                           location=location, createEmpty=createEmpty)
