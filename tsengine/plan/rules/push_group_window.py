"""Answer `group(columns: tags) |> aggregateWindow(fn: count|sum|mean)` on a storage read
from the stored wide rows.

    AggregateWindowNative(every, fn=mean)            StorageGroupWindow(columns, every,
      Group(columns, on_storage)                =>     fn=mean, StorageRead(bucket, ...))
        StorageRead(bucket, ...)

The plain plan merges every series of a group into one table (series in table order, each
in time order), sorts it by time and aggregates windows; this computes the same sums in the
same order without building the long tables. InfluxDB does not push this aggregate (its
storage groups, then Flux aggregates): a tsengine speed-up with the same answer.
"""

from __future__ import annotations

from tsengine.plan.nodes import PlanNode, StorageGroupWindow, StorageRead
from tsengine.stdlib.universe.aggregate_window import AggregateWindowNative
from tsengine.stdlib.universe.group import Group


class PushGroupWindow:
    name = "push_group_window"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        if not (isinstance(node, AggregateWindowNative) and node.column == "_value"
                and not node.on_storage and isinstance(node.input, Group)):
            return None
        group, read = node.input, node.input.input
        columns = tuple(c for c in dict.fromkeys(group.columns) if c not in ("_start", "_stop"))
        if not (group.on_storage and group.mode == "by" and isinstance(read, StorageRead)
                and read.columns is None and not read.projected
                and not {"_measurement", "_field"} & set(columns)):
            return None
        return StorageGroupWindow(read, columns, node, node, span=node.span)
