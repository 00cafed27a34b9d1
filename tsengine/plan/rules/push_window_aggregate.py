"""Push aggregateWindow's count, sum, mean, min, max, first or last into the storage read
below it, where InfluxDB's storage computes the windows too (every == period, no negative
offset, UTC, `_value`); the tables are those of the plain plan.

    AggregateWindowNative(every, fn=mean)        StorageWindowAggregate(every, fn=mean,
      StorageRead(bucket, ...)              =>     StorageRead(bucket, ...))

For a selector, aggregateWindow's plan is upstream's Flux chain (InfluxDB's storage computes
`window |> max` and the rest only renames columns):

    Window(every: inf, timeColumn: "_time")
      Duplicate(column: "_stop" | "_start", as: "_time")
        [FillWindows]                               StorageWindowAggregate(every, fn=max,
          Max(column: "_value")                =>     StorageRead(bucket, ...))
            Window(every, createEmpty)
              StorageRead(bucket, ...)
"""

from __future__ import annotations

from tsengine.plan.nodes import PlanNode, StorageRead, StorageWindowAggregate
from tsengine.stdlib.universe.aggregate_window import AggregateWindowNative, FillWindows
from tsengine.stdlib.universe.duplicate import Duplicate
from tsengine.stdlib.universe.selectors import First, Last, Max, Min
from tsengine.stdlib.universe.window import Window, pushable

SELECTORS = {First: "first", Last: "last", Min: "min", Max: "max"}


class PushWindowAggregate:
    name = "push_window_aggregate"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        native = node if isinstance(node, AggregateWindowNative) else _selector_chain(node)
        if not (native is not None and native.on_storage and _plain_read(native.input)):
            return None
        return StorageWindowAggregate(native.input, native, node, span=node.span)


def _plain_read(node: PlanNode) -> bool:
    return isinstance(node, StorageRead) and node.columns is None and not node.projected


def _selector_chain(node: PlanNode) -> AggregateWindowNative | None:
    """The selector aggregateWindow `node` ends, as one native window aggregate (or None)."""
    if not (isinstance(node, Window) and node.spec.infinite and node.time_column == "_time"):
        return None
    duplicate = node.input
    if not (isinstance(duplicate, Duplicate) and duplicate.target == "_time"
            and duplicate.column in ("_start", "_stop")):
        return None
    selector = duplicate.input
    filled = isinstance(selector, FillWindows)
    if filled:
        selector = selector.input  # type: ignore[attr-defined]
    fn = SELECTORS.get(type(selector))
    windowed = selector.inputs[0] if selector.inputs else None
    if not (fn is not None and selector.column == "_value"  # type: ignore[attr-defined]
            and isinstance(windowed, Window) and windowed.create_empty == filled
            and windowed.time_column == "_time" and not windowed.spec.infinite
            and (windowed.start_column, windowed.stop_column) == ("_start", "_stop")
            and pushable(windowed.spec)):
        return None
    return AggregateWindowNative(windowed.input, windowed.spec, fn, "_value",
                                 duplicate.column == "_start", filled, True,
                                 span=windowed.span)
