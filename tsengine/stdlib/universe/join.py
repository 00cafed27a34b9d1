"""`join(tables: {a: s1, b: s2}, on: [...], method: "inner")`: the universe (deprecated) join.

The stream named first alphabetically is the left one. Every left table meets every right table
(tables that disagree on an `on` column both hold in their group key can share no row anyway);
their rows join where equal on every `on` column, a null matching nothing, and a table missing
an `on` column joins nothing. A column both tables have and `on` does not name is renamed
`<column>_<stream name>` on each side; the `on` columns keep the left value. The output key is
the union of both (renamed) keys; columns and key are sorted by label; rows are sorted by the
`on` columns (left-major among equal values); tables left empty are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, Record, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream


@dataclass(eq=False)
class Join(PlanNode):
    """Rows of two streams' tables joined on equal `on` columns."""

    left: PlanNode
    right: PlanNode
    names: tuple[str, str]  # the streams' names, left first
    on: tuple[str, ...]  # sorted, the order rows are sorted by

    function: ClassVar[str] = "join"

    @property
    def inputs(self) -> tuple[PlanNode, ...]:
        return (self.left, self.right)

    def with_inputs(self, inputs: tuple[PlanNode, ...]) -> PlanNode:
        return replace(self, left=inputs[0], right=inputs[1]) if inputs else self

    def describe(self) -> str:
        return f"Join(tables={list(self.names)}, on={list(self.on)})"


@builtin("join", pipe="tables")
def join(ctx: CallContext, tables: Any, method: Any = "inner", on: Any = None) -> Stream:
    if not isinstance(tables, Record):
        raise OperatorError(f"join(): tables must be a record of streams, found "
                            f"{type_name(tables)}")
    for name, value in tables.items():
        if not isinstance(value, Stream):
            raise OperatorError(f'join(): expected "{name}" to be stream type; instead got '
                                f"{type_name(value)}")
    if on is None:
        raise OperatorError("missing required argument 'on' for join()")
    if not isinstance(on, Array) or not all(isinstance(c, str) for c in on):
        raise OperatorError("join(): on must be an array of strings")
    if not on:
        raise OperatorError("join(): at least one column in 'on' column list is required")
    if not isinstance(method, str):
        raise OperatorError(f"join(): method must be a string, found {type_name(method)}")
    if method != "inner":
        raise OperatorError(f"join(): {method} is not a valid join type")
    if len(tables) != 2:
        raise OperatorError("join(): joins currently must only have two parents")
    names = sorted(tables)
    return Stream(Join(tables[names[0]].node, tables[names[1]].node, (names[0], names[1]),
                       tuple(sorted(set(on))), span=ctx.span))


@implements(Join)
def run_join(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Join)
    frames = []
    for lf in inputs[0].frames:
        for rf in inputs[1].frames:
            out = _joined(node, lf, rf)
            if out is not None and out.frame.height:
                frames.append(out)
    return merged_stream(ctx, node, frames)


def _joined(node: Join, lf: TableFrame, rf: TableFrame) -> TableFrame | None:
    """The joined rows of the tables of two frames (None: no row can match)."""
    on = list(node.on)
    for col in on:
        if col not in lf.frame.columns or col not in rf.frame.columns:
            return None  # a missing column is null, and null matches nothing
        if lf.frame.schema[col] != rf.frame.schema[col] or lf.frame.schema[col] == pl.Null:
            return None  # values of two types never compare equal
    if not lf.frame.height or not rf.frame.height:
        return None
    lname, rname = node.names
    shared = (set(lf.frame.columns) & set(rf.frame.columns)) - set(on)
    lnames = {c: f"{c}_{lname}" if c in shared else c for c in lf.frame.columns}
    rnames = {c: f"{c}_{rname}" if c in shared else c for c in rf.frame.columns}
    left = lf.frame.rename(lnames).with_row_index("\0li")
    right = rf.frame.rename(rnames).with_row_index("\0ri")
    joined = left.join(right, on=on, how="inner", nulls_equal=False)
    joined = joined.sort([*on, "\0li", "\0ri"], maintain_order=True)
    key = sorted(dict.fromkeys([*(lnames[k] for k in lf.key), *(rnames[k] for k in rf.key)]))
    columns = sorted(c for c in joined.columns if c not in ("\0li", "\0ri"))
    return TableFrame(joined.select(columns), tuple(key))
