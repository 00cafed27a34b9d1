"""`union(tables: [s1, s2, ...])`: the tables of several streams as one stream.

Tables with equal group keys merge (columns unioned, a type clash is a schema collision); empty
tables are kept. Upstream gives no row order across merged tables (its parents run
concurrently); here the streams' rows come in the order the streams are listed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream


@dataclass(eq=False)
class Union(PlanNode):
    """The tables of every stream in `tables`, equal keys merged."""

    function: ClassVar[str] = "union"

    tables: tuple[PlanNode, ...]

    @property
    def inputs(self) -> tuple[PlanNode, ...]:
        return self.tables

    def with_inputs(self, inputs: tuple[PlanNode, ...]) -> PlanNode:
        return replace(self, tables=tuple(inputs)) if inputs else self

    def describe(self) -> str:
        return f"Union(tables={len(self.tables)})"


@builtin("union")
def union(ctx: CallContext, tables: Any) -> Stream:
    if not isinstance(tables, Array):
        raise OperatorError("union(): tables must be an array of streams")
    if len(tables) < 2:
        raise OperatorError("union must have at least two streams as input")
    if not all(isinstance(t, Stream) for t in tables):
        raise OperatorError("input to union is not a table object")
    return Stream(Union(tuple(t.node for t in tables), span=ctx.span))


def same_key_order(frames: list[TableFrame]) -> list[TableFrame]:
    """Frames whose key columns are the same set listed in one order (the first frame's):
    group keys compare as sets of columns, so such tables merge."""
    orders: dict[frozenset[str], tuple[str, ...]] = {}
    out = []
    for tf in frames:
        key = orders.setdefault(frozenset(tf.key), tf.key)
        if key != tf.key:
            at = [tf.key.index(k) for k in key]
            tf = TableFrame(tf.frame, key, [tuple(v[i] for i in at) for v in tf.empty])
        out.append(tf)
    return out


@implements(Union)
def run_union(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Union)
    frames = same_key_order([tf for stream in inputs for tf in stream.frames])
    return merged_stream(ctx, node, frames)
