"""`distinct(column:)`: each table's distinct values of a column, as `_value`.

As upstream distinct.go: the output is the key columns (in key order) then `_value` holding
each distinct value in order of first appearance (null is one value); every other column goes.
A key column gives one row, its key value; a missing column gives one row `_value = ""`; both
also for a table without rows. A table without rows otherwise stays an empty table.
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
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.aggregates import key_rows


@dataclass(eq=False)
class Distinct(PlanNode):
    """The distinct values of `column` in each table."""

    function: ClassVar[str] = "distinct"

    input: PlanNode
    column: str = "_value"


@builtin("distinct", pipe="tables")
def distinct(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
    tables = require_stream("distinct", tables)
    if not isinstance(column, str):
        raise OperatorError("distinct(): column must be a string")
    return Stream(Distinct(tables.node, column, span=ctx.span))


def one_row_each(tf: TableFrame, value: pl.Expr) -> TableFrame:
    """One row per table (those without rows too): the key, then `_value`."""
    if not tf.key:  # a frame without key columns holds exactly one table
        return TableFrame(pl.DataFrame({"\0": [0]}).select(value.alias("_value")), ())
    keys = tf.frame.select(tf.key).unique(maintain_order=True)
    if tf.empty:
        keys = pl.concat([keys, key_rows(tf, tf.empty)], how="vertical")
    return TableFrame(keys.select([*tf.key, value.alias("_value")]), tf.key)


def distinct_frame(tf: TableFrame, column: str) -> TableFrame:
    """`tf`'s tables reduced to their distinct values of `column`."""
    if column not in tf.frame.columns:
        return one_row_each(tf, pl.lit("", pl.String))
    if column in tf.key:
        return one_row_each(tf, pl.col(column))
    values = tf.frame.select([*tf.key, pl.col(column).alias("\0value")])
    values = values.unique(maintain_order=True).rename({"\0value": "_value"})
    return TableFrame(values, tf.key, list(tf.empty))


@implements(Distinct)
def run_distinct(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Distinct)
    return TableStream([distinct_frame(tf, node.column) for tf in inputs[0].frames])
