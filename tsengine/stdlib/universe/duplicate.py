"""`duplicate(column:, as:)`: copy a column under another name.

The copy is appended (not a key column); an existing `as` column is overwritten in place, and
stays in the key if it was, with the copied values (tables may then merge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import regrouped, require_stream


@dataclass(eq=False)
class Duplicate(PlanNode):
    """Column `column` copied as `target`."""

    input: PlanNode
    column: str
    target: str

    function: ClassVar[str] = "duplicate"


@builtin("duplicate", pipe="tables")
def duplicate(ctx: CallContext, tables: Any, column: Any, as_: Any) -> Stream:
    tables = require_stream("duplicate", tables)
    if not isinstance(column, str) or not isinstance(as_, str):
        raise OperatorError("duplicate(): column and as must be strings")
    return Stream(Duplicate(tables.node, column, as_, span=ctx.span))


@implements(Duplicate)
def run_duplicate(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Duplicate)

    def copy(tf: TableFrame) -> TableFrame:
        if node.column not in tf.frame.columns:
            raise ctx.error(node, f'column "{node.column}" does not exist')
        frame = tf.frame.with_columns(pl.col(node.column).alias(node.target))
        empty = tf.empty
        if node.target in tf.key:
            to, src = tf.key.index(node.target), tf.key.index(node.column) \
                if node.column in tf.key else None
            if src is None:
                raise ctx.error(node, f'cannot overwrite key column "{node.target}" with '
                                      f'"{node.column}", which is not in the key')
            empty = list(dict.fromkeys(v[:to] + (v[src],) + v[to + 1:] for v in tf.empty))
        return TableFrame(frame, tf.key, empty)

    return regrouped(ctx, node, inputs[0].frames, copy, lambda tf: node.target in tf.key)
