"""Push aggregateWindow's count, sum or mean into the storage read below it.

    AggregateWindowNative(every, fn=mean)        StorageWindowAggregate(every, fn=mean,
      StorageRead(bucket, ...)              =>     StorageRead(bucket, ...))

Only where InfluxDB's storage computes the windows too (the node's `on_storage`: every ==
period, no negative offset, UTC, `_value`); the tables are those of the plain plan.
"""

from __future__ import annotations

from tsengine.plan.nodes import PlanNode, StorageRead, StorageWindowAggregate
from tsengine.stdlib.universe.aggregate_window import AggregateWindowNative


class PushWindowAggregate:
    name = "push_window_aggregate"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        if not (isinstance(node, AggregateWindowNative) and node.on_storage
                and isinstance(node.input, StorageRead) and node.input.columns is None
                and not node.input.projected):
            return None
        return StorageWindowAggregate(node.input, node, node, span=node.span)
