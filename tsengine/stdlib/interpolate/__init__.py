"""`interpolate.linear(every)`: rows inserted at every multiple of `every` (since the epoch)
between two subsequent rows of a table, with linearly interpolated float values.

As upstream: a table may only have `_time`, `_value` (float) and group-key columns; a null
`_time` or `_value` is an error. Between rows (x0, y0) and (x1, y1) the points x = the end of
x0's `every` window, then every `every` after, while x < x1, get y0 + m * (x - x0) with
m = (y1 - y0) / (x1 - x0). Durations with months are not supported here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream

_G, _K, _N, _FIRST, _X0, _Y0 = "\0g", "\0k", "\0n", "\0first", "\0x0", "\0y0"


@dataclass(eq=False)
class Linear(PlanNode):
    """Rows interpolated every `every` nanoseconds."""

    input: PlanNode
    every: int

    function: ClassVar[str] = "interpolate.linear"


@builtin("linear", package="interpolate", pipe="tables")
def linear(ctx: CallContext, tables: Any, every: Any) -> Stream:
    tables = require_stream("interpolate.linear", tables)
    if not isinstance(every, Duration):
        raise OperatorError(f"interpolate.linear(): every must be a duration, found "
                            f"{type_name(every)}")
    if every.months or every.nanoseconds <= 0:
        raise OperatorError("interpolate.linear(): every must be a positive duration without "
                            "months")
    return Stream(Linear(tables.node, every.nanoseconds, span=ctx.span))


def _check(ctx: ExecContext, node: Linear, tf: TableFrame) -> None:
    for col in tf.frame.columns:
        if col not in tf.key and col not in ("_time", "_value"):
            raise ctx.error(node, f'interpolate.linear requires column "{col}" to be in group '
                                  "key")
    for col in ("_time", "_value"):
        if col not in tf.frame.columns:
            raise ctx.error(node, f"{col} column does not exist")
    dtype = tf.frame.schema["_value"]
    if dtype != pl.Float64:
        raise ctx.error(node, f"cannot interpolate {flux_type(dtype)} values; expected float "
                              "values")
    for col in ("_time", "_value"):
        if tf.frame.get_column(col).null_count():
            raise ctx.error(node, f"null {col} found during linear interpolation")


@implements(Linear)
def run_linear(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Linear)
    frames = []
    for tf in inputs[0].frames:
        _check(ctx, node, tf)
        frames.append(TableFrame(_interpolated(tf, node.every), tf.key, list(tf.empty)))
    return TableStream(frames)


def _interpolated(tf: TableFrame, every: int) -> pl.DataFrame:
    """The frame with the interpolated rows inserted before each row they lead up to."""
    x = pl.col("_time").dt.epoch("ns")
    x0, y0 = over(x.shift(1), tf.key), over(pl.col("_value").shift(1), tf.key)
    first = x0 - x0.mod(every) + every  # the end of the window x0 falls in
    count = pl.when(x0.is_null() | (first >= x)).then(0) \
        .otherwise((x - 1 - first) // every + 1)
    frame = tf.frame.with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(_G),
                                  count.alias(_N), first.alias(_FIRST), x0.alias(_X0),
                                  y0.alias(_Y0))
    added = frame.filter(pl.col(_N) > 0).with_columns(
        pl.int_ranges(0, pl.col(_N)).alias(_K)).explode(_K)
    xi = pl.col(_FIRST) + pl.col(_K) * every
    slope = (pl.col("_value") - pl.col(_Y0)) / (x - pl.col(_X0)).cast(pl.Float64)
    added = added.with_columns(
        (pl.col(_Y0) + slope * (xi - pl.col(_X0)).cast(pl.Float64)).alias("_value"),
        xi.cast(pl.Datetime("ns")).dt.replace_time_zone("UTC").cast(TIME_DTYPE).alias("_time"))
    rows = frame.with_columns(pl.col(_N).cast(pl.Int64).alias(_K))
    both = pl.concat([added.with_columns(pl.col(_K).cast(pl.Int64)), rows])
    return both.sort(_G, _K, maintain_order=True).select(tf.frame.columns)
