"""Merge `range` into the `from` below it: one bounded storage read.

    Range(start, stop)              StorageRead(bucket, start, stop)
      From(bucket)          =>
"""

from __future__ import annotations

from tsengine.plan.nodes import From, PlanNode, Range, StorageRead


class PushRange:
    name = "push_range"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        if isinstance(node, Range) and isinstance(node.input, From):
            src = node.input
            return StorageRead(src.bucket, src.org, node.start, node.stop, span=src.span)
        return None
