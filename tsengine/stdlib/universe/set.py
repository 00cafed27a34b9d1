"""`set(key:, value:)`: every row's column `key` becomes the string `value`.

A new column is appended; an existing one is overwritten in place (as a string). Setting a
group-key column changes the key value, so tables may merge.
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
from tsengine.stdlib.common import regrouped, require_stream, with_key_value


@dataclass(eq=False)
class Set(PlanNode):
    """Column `key` set to `value` on every row."""

    input: PlanNode
    key: str
    value: str

    function: ClassVar[str] = "set"


@builtin("set", pipe="tables")
def set_(ctx: CallContext, tables: Any, key: Any, value: Any) -> Stream:
    tables = require_stream("set", tables)
    if not isinstance(key, str) or not isinstance(value, str):
        raise OperatorError("set(): key and value must be strings")
    return Stream(Set(tables.node, key, value, span=ctx.span))


@implements(Set)
def run_set(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Set)

    def assign(tf: TableFrame) -> TableFrame:
        frame = tf.frame.with_columns(pl.lit(node.value, pl.String).alias(node.key))
        empty = tf.empty
        if node.key in tf.key:
            empty = with_key_value(tf.empty, tf.key.index(node.key), node.value)
        return TableFrame(frame, tf.key, empty)

    return regrouped(ctx, node, inputs[0].frames, assign, lambda tf: node.key in tf.key)
