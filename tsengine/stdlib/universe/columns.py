"""`columns(column: "_value")`: each table's column labels, one row each.

The output is the key columns (in key order), then `column` holding one label per row, in the
table's column order (key columns among them); every other column goes. The labels come from
the schema, so a table without rows gets its rows too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.keys import label_column, labels_per_table


@dataclass(eq=False)
class Columns(PlanNode):
    """The column labels of each table, in `column`."""

    input: PlanNode
    column: str = "_value"

    function: ClassVar[str] = "columns"


@builtin("columns", pipe="tables")
def columns(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
    tables = require_stream("columns", tables)
    return Stream(Columns(tables.node, label_column("columns", column), span=ctx.span))


@implements(Columns)
def run_columns(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Columns)
    return TableStream([out for tf in inputs[0].frames if (out := labels_per_table(
        ctx, node, tf, list(tf.frame.columns), node.column))])
