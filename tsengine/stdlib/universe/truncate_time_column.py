"""`truncateTimeColumn(timeColumn, unit)`: `_time` truncated to a multiple of `unit`.

Upstream writes it in Flux as a `map` of `date.truncate` over `_time` (and, as upstream says,
`timeColumn` has no effect). That map runs row by row upstream, so the output is what such a
map gives: columns sorted by label, empty tables dropped, tables whose `_time` key values now
coincide merged. Units of nanoseconds align to the Unix epoch (weeks start on Thursday);
month units align to calendar months.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import regrouped, require_stream


@dataclass(eq=False)
class TruncateTimeColumn(PlanNode):
    """`_time` truncated to `unit`."""

    input: PlanNode
    unit: Duration

    function: ClassVar[str] = "truncateTimeColumn"


@builtin("truncateTimeColumn", pipe="tables")
def truncate_time_column(ctx: CallContext, unit: Any, tables: Any,
                         timeColumn: Any = "_time") -> Stream:  # noqa: N803
    tables = require_stream("truncateTimeColumn", tables)
    if not isinstance(unit, Duration):
        raise OperatorError(f"truncateTimeColumn(): unit must be a duration, found "
                            f"{type_name(unit)}")
    if unit.negative or unit.is_zero() or (unit.months and unit.nanoseconds):
        raise OperatorError("truncateTimeColumn(): unit must be positive months or a positive "
                            "duration without months")
    return Stream(TruncateTimeColumn(tables.node, unit, span=ctx.span))


def truncated(expr: pl.Expr, unit: Duration) -> pl.Expr:
    """Times floored to a multiple of `unit` since the epoch (calendar months for months)."""
    if unit.months:
        return expr.dt.truncate(f"{unit.months}mo")
    ns = expr.dt.epoch("ns")
    return (ns - ns.mod(unit.nanoseconds)).cast(pl.Datetime("ns")).dt.replace_time_zone("UTC") \
        .cast(TIME_DTYPE)


@implements(TruncateTimeColumn)
def run_truncate_time_column(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                             ) -> TableStream:
    assert isinstance(node, TruncateTimeColumn)

    def truncate(tf: TableFrame) -> TableFrame | None:
        if "_time" not in tf.frame.columns:
            raise ctx.error(node, 'column "_time" does not exist')
        if not tf.frame.height:
            return None
        frame = tf.frame.with_columns(truncated(pl.col("_time"), node.unit))
        return TableFrame(frame.select(sorted(frame.columns)), tf.key)

    return regrouped(ctx, node, inputs[0].frames, truncate, lambda tf: "_time" in tf.key)
