"""Push the storage-evaluable conjuncts of a filter into the read below it.

    Filter(fn: r._measurement == "m" and r._value > 1)      Filter(fn: r._value > 1)
      StorageRead(bucket, start, stop)              =>        StorageRead(..., predicate:
                                                                _measurement == "m")

A missing tag reads as "" in the pushed predicate, as in InfluxDB's storage; what storage cannot
evaluate stays in the filter. `onEmpty: "keep"` filters are never pushed, nor filters on a read
that absorbed a keep/drop (they filter its output).
"""

from __future__ import annotations

from dataclasses import replace
from functools import reduce

from storage import And
from tsengine.flux import ast
from tsengine.flux.functions import Closure
from tsengine.plan.nodes import PlanNode, StorageRead
from tsengine.plan.predicates import split_filter
from tsengine.stdlib.universe.filter import Filter


class PushFilter:
    name = "push_filter"

    def rewrite(self, node: PlanNode) -> PlanNode | None:
        if not (isinstance(node, Filter) and isinstance(node.input, StorageRead)
                and not node.input.projected and node.on_empty == "drop"):
            return None
        pushed, rest = split_filter(node.fn)
        if not pushed:
            return None
        read = node.input
        preds = [p for _, p in pushed]
        if read.predicate is not None:
            preds.insert(0, read.predicate)
        merged = preds[0] if len(preds) == 1 else And(tuple(preds))
        new_read = replace(read, predicate=merged, missing_tag="")
        if not rest:
            return new_read
        body = reduce(lambda a, b: ast.LogicalExpr("and", a, b, span=a.span), rest)
        fn = Closure(replace(node.fn.node, body=body), node.fn.scope, node.fn.name)
        return replace(node, input=new_read, fn=fn)
