"""`keys(column: "_value")`: each table's group-key column labels, one row each.

The output is the key columns (in key order), then `column` holding one key label per row, in
key order; every other column goes. The labels come from the schema, so a table without rows
gets its rows too, and a table without a key stays a table without rows. The helpers below are
shared with columns().
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
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.aggregates import key_rows


@dataclass(eq=False)
class Keys(PlanNode):
    """The group-key labels of each table, in `column`."""

    input: PlanNode
    column: str = "_value"

    function: ClassVar[str] = "keys"


@builtin("keys", pipe="tables")
def keys(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
    tables = require_stream("keys", tables)
    return Stream(Keys(tables.node, label_column("keys", column), span=ctx.span))


@implements(Keys)
def run_keys(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Keys)
    return TableStream([out for tf in inputs[0].frames
                        if (out := labels_per_table(ctx, node, tf, list(tf.key), node.column))])


def label_column(function: str, column: Any) -> str:
    """The `column` argument: a string."""
    if not isinstance(column, str):
        raise OperatorError(f"{function}(): column must be a string, found {type_name(column)}")
    return column


def table_keys(tf: TableFrame) -> pl.DataFrame:
    """One row per table of a keyed frame (tables without rows too): its key values."""
    found = tf.frame.select(tf.key).unique(maintain_order=True)
    return pl.concat([found, key_rows(tf, tf.empty)]) if tf.empty else found


def labels_per_table(ctx: ExecContext, node: PlanNode, tf: TableFrame, labels: list[str],
                     column: str) -> TableFrame | None:
    """Each table of `tf` as its key columns and one row per label in `column` (None: the frame
    holds no table)."""
    if not tf.frame.height and not tf.empty:
        return None
    if column in tf.key:
        raise ctx.error(node, f"table builder already has column with label {column}")
    names = pl.DataFrame({column: labels}, schema={column: pl.String})
    if not tf.key:
        return TableFrame(names, (), [] if labels else [()])
    return TableFrame(table_keys(tf).join(names, how="cross"), tf.key)  # a keyed table has labels
