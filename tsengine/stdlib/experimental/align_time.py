"""`experimental.alignTime(alignTo:)`: shift each table's times so its first row is at
`alignTo` (to compare periods such as years on one time axis).

Upstream writes it in Flux as stateDuration (from the first row, in ns) then
`map(fn: (r) => ({r with _time: time(v: int(v: alignTo) + r.timeDiff)}))` then dropping
`timeDiff`; here one expression per frame gives the same rows. That map runs row by row
upstream, so the columns come out sorted by label, and tables without rows are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Time, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream


@dataclass(eq=False)
class AlignTime(PlanNode):
    """Times shifted so each table starts at `align_to` (ns)."""

    input: PlanNode
    align_to: int

    function: ClassVar[str] = "experimental.alignTime"


EPOCH = Time(0)  # upstream's default, time(v: 0)


@builtin("alignTime", package="experimental", pipe="tables")
def align_time(ctx: CallContext, tables: Any, alignTo: Any = EPOCH) -> Stream:  # noqa: N803
    tables = require_stream("experimental.alignTime", tables)
    if not isinstance(alignTo, Time):
        raise OperatorError(f"experimental.alignTime(): alignTo must be a time, found "
                            f"{type_name(alignTo)}")
    return Stream(AlignTime(tables.node, alignTo.ns, span=ctx.span))


@implements(AlignTime)
def run_align_time(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, AlignTime)
    out = []
    for tf in inputs[0].frames:
        if not tf.frame.height:
            continue
        if not isinstance(tf.frame.schema.get("_time"), pl.Datetime):
            raise ctx.error(node, 'column "_time" does not exist or is not a time')
        t = pl.col("_time").dt.epoch("ns")
        first = over(t.first(), tf.key)
        moved = (pl.lit(node.align_to, pl.Int64) + t - first).cast(TIME_DTYPE).alias("_time")
        frame = tf.frame.with_columns(moved).drop("timeDiff", strict=False)
        frame = frame.select(sorted(frame.columns))
        out.append(TableFrame(frame, tuple(c for c in frame.columns if c in tf.key)))
    return merged_stream(ctx, node, out)
