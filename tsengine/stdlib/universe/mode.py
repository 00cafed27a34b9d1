"""`mode(column:)`: each table's most frequent non-null value(s), as `_value`.

As upstream's mode.go: the output is the key columns (key order) then `_value`, of the column's
type, one row per most frequent value in ascending order. When every distinct value is equally
frequent (one distinct value, or none: a table of nulls) there is no mode: one row, `_value`
null. A key column gives its key value; a missing column gives `_value = ""` (both also for a
table without rows); a table without rows otherwise stays an empty table.
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
from tsengine.stdlib.universe.distinct import one_row_each

TABLE = "\0table"  # a constant key column standing in for an empty key


@dataclass(eq=False)
class Mode(PlanNode):
    """The most frequent values of `column` in each table."""

    function: ClassVar[str] = "mode"

    input: PlanNode
    column: str = "_value"


@builtin("mode", pipe="tables")
def mode(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
    tables = require_stream("mode", tables)
    if not isinstance(column, str):
        raise OperatorError("mode(): column must be a string")
    return Stream(Mode(tables.node, column, span=ctx.span))


@implements(Mode)
def run_mode(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Mode)
    return TableStream([_modes(tf, node.column) for tf in inputs[0].frames])


def _modes(tf: TableFrame, column: str) -> TableFrame:
    if column not in tf.frame.columns:
        return one_row_each(tf, pl.lit("", pl.String))
    if column in tf.key:
        return one_row_each(tf, pl.col(column))
    key = list(tf.key) or [TABLE]
    frame = tf.frame.select([*tf.key, pl.col(column).alias("_value")])
    if not tf.key:
        frame = frame.with_columns(pl.lit(0).alias(TABLE))
    n = pl.col("\0n")
    counts = (frame.filter(pl.col("_value").is_not_null())
              .group_by([*key, "_value"], maintain_order=True).agg(pl.len().alias("\0n")))
    most = (n == over(n.max(), key))
    modes = (counts.filter(most & (over(most.sum(), key) < over(pl.len(), key)))
             .sort([*key, "_value"], nulls_last=False, maintain_order=True))
    # tables with rows but no mode: one null row
    tables = frame.select(key).unique(maintain_order=True)
    none = tables.join(modes.select(key), on=key, how="anti", nulls_equal=True)
    none = none.with_columns(pl.lit(None, frame.schema["_value"]).alias("_value"))
    out = pl.concat([modes.select([*key, "_value"]), none], how="vertical")
    return TableFrame(out.select([*tf.key, "_value"]), tf.key, list(tf.empty))
