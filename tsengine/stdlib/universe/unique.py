"""`unique(column:)`: the first row of each distinct value of a column, per table.

As upstream's unique.go: whole rows are kept in their order; null is one value; a table without
rows stays an empty table; a missing column is an error. Key and schema stay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class Unique(PlanNode):
    """Rows whose `column` value did not occur earlier in their table."""

    function: ClassVar[str] = "unique"

    input: PlanNode
    column: str = "_value"


@builtin("unique", pipe="tables")
def unique(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
    tables = require_stream("unique", tables)
    if not isinstance(column, str):
        raise OperatorError("unique(): column must be a string")
    return Stream(Unique(tables.node, column, span=ctx.span))


@implements(Unique)
def run_unique(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Unique)
    out = []
    for tf in inputs[0].frames:
        if node.column not in tf.frame.columns:
            raise ctx.error(node, f'no column "{node.column}" exists')
        first = over(pl.col(node.column).is_first_distinct(), tf.key)
        out.append(TableFrame(tf.frame.filter(first), tf.key, tf.empty))
    return TableStream(out)
