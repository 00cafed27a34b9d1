"""Push a bare aggregate or selector of `_value` into the storage read below it.

    Mean()                              StorageAggregate(fn=mean,
      StorageRead(bucket, ...)   =>       StorageRead(bucket, ...))

As InfluxDB's storage does for count, sum, mean, first, last, min and max directly on
`from |> range |> filter`; the tables (and their layout) are those of the plain plan.
"""

from __future__ import annotations

from tsengine.plan.nodes import PlanNode, StorageAggregate, StorageRead
from tsengine.stdlib.universe.aggregates import Count, Mean, Sum
from tsengine.stdlib.universe.selectors import First, Last, Max, Min

PUSHABLE = (Count, Sum, Mean, First, Last, Min, Max)


class PushAggregate:
    name = "push_aggregate"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        if not (isinstance(node, PUSHABLE) and node.column == "_value"
                and isinstance(node.input, StorageRead) and node.input.columns is None
                and not node.input.projected):
            return None
        return StorageAggregate(node.input, node.function, node, span=node.span)
