"""`cumulativeSum(columns)`: the running sum of each listed column within its table.

int, uint and float keep their type; a null row gets the sum so far (0 before any value).
Listed columns of another type, or absent, are passed through unchanged, as upstream does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import NUMERIC, string_array, value_columns


@dataclass(eq=False)
class CumulativeSum(PlanNode):
    """Running sums of `columns`."""

    input: PlanNode
    columns: tuple[str, ...]

    function: ClassVar[str] = "cumulativeSum"


@builtin("cumulativeSum", pipe="tables")
def cumulative_sum(ctx: CallContext, tables: Any, columns: Any = None) -> Stream:
    tables = require_stream("cumulativeSum", tables)
    return Stream(CumulativeSum(tables.node, string_array("cumulativeSum", "columns", columns),
                                span=ctx.span))


@implements(CumulativeSum)
def run_cumulative_sum(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                       ) -> TableStream:
    assert isinstance(node, CumulativeSum)
    frames = []
    for tf in inputs[0].frames:
        schema = tf.frame.schema
        numeric = [c for c in node.columns if c in schema and schema[c] in NUMERIC]
        value_columns(ctx, node, tf, tuple(numeric))  # a key column cannot change per row
        sums = [over(pl.col(c).fill_null(pl.lit(0, schema[c])).cum_sum(), tf.key)
                .cast(schema[c]).alias(c) for c in dict.fromkeys(numeric)]
        frames.append(TableFrame(tf.frame.with_columns(sums), tf.key, list(tf.empty)))
    return TableStream(frames)
