"""Answer a pivot of fields into columns from the stored wide rows.

    Pivot(rowKey: ["_time"], columnKey: ["_field"],      StoragePivot(
          valueColumn: "_value")                    =>     StorageRead(bucket, ...))
      StorageRead(bucket, ...)

Storage keeps each series' points as wide rows (one column per field), which is what this
pivot builds from the long tables; the tables (columns, order, types) are those of the plain
plan. InfluxDB does not push this pivot: it is a tsengine speed-up with the same answer.
"""

from __future__ import annotations

from tsengine.plan.nodes import PlanNode, StoragePivot, StorageRead
from tsengine.stdlib.universe.pivot import Pivot


class PushPivot:
    name = "push_pivot"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        if not (isinstance(node, Pivot) and node.row_key == ("_time",)
                and node.column_key == ("_field",) and node.value_column == "_value"
                and isinstance(node.input, StorageRead) and node.input.columns is None
                and not node.input.projected):
            return None
        return StoragePivot(node.input, node, span=node.span)
