"""`integral(unit, timeColumn, column, interpolate)`: the area under a table's values (an
aggregate: one row per table, the key columns and the float `column`).

As upstream: trapezoids between subsequent non-null points, each 0.5 * (v + v_prev) * dt /
unit, summed in row order; a row whose time repeats the previous row's is skipped (even when
the earlier one was null), times must not decrease nor be null. With interpolate: "linear" the
line through the first (last) two points is extended to `_start` (`_stop`), and a single point
counts as a constant over the bounds; otherwise 0 or 1 points give 0. `_start` and `_stop` must
be in the group key. An empty table gives 0.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import aggregate, over, row_index
from tsengine.execute.table import TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, Time, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import NUMERIC

SECOND = 1_000_000_000
_V, _T, _ORDER, _TERM = "\0v", "\0t", "\0order", "\0term"


@dataclass(eq=False)
class Integral(PlanNode):
    """Area under `column` along `time_column`, per `unit` nanoseconds."""

    input: PlanNode
    unit: int
    time_column: str
    column: str
    interpolate: bool

    function: ClassVar[str] = "integral"


@builtin("integral", pipe="tables")
def integral(ctx: CallContext, tables: Any, unit: Any = None, timeColumn: Any = "_time",  # noqa: N803
             column: Any = "_value", interpolate: Any = "") -> Stream:
    tables = require_stream("integral", tables)
    if unit is not None and not isinstance(unit, Duration):
        raise OperatorError(f"integral(): unit must be a duration, found {type_name(unit)}")
    for name, value in (("timeColumn", timeColumn), ("column", column),
                        ("interpolate", interpolate)):
        if not isinstance(value, str):
            raise OperatorError(f"integral(): {name} must be a string, found {type_name(value)}")
    return Stream(Integral(tables.node, SECOND if unit is None else unit.approx_ns(), timeColumn,
                           column, interpolate == "linear", span=ctx.span))


def _check(ctx: ExecContext, node: Integral, tf: TableFrame) -> None:
    for bound in ("_start", "_stop"):
        if bound not in tf.key:
            raise ctx.error(node, f"integral function needs {bound} column to be part of group "
                                  "key")
    dtype = tf.frame.schema.get(node.column)
    if dtype is None:
        raise ctx.error(node, f'column "{node.column}" does not exist')
    if node.column in tf.key:
        raise ctx.error(node, "cannot aggregate columns that are part of the group key")
    if dtype not in NUMERIC:
        raise ctx.error(node, f"cannot perform integral over {flux_type(dtype)}")
    if node.time_column not in tf.frame.columns:
        raise ctx.error(node, f'no column "{node.time_column}" exists')
    if tf.frame.get_column(node.time_column).null_count():
        raise ctx.error(node, "integral found null time in time column")


@implements(Integral)
def run_integral(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Integral)
    frames = []
    for tf in inputs[0].frames:
        _check(ctx, node, tf)
        frames.append(TableFrame(_integrals(ctx, node, tf), tf.key))
    return TableStream(frames)


def _points(ctx: ExecContext, node: Integral, tf: TableFrame) -> pl.DataFrame:
    """The points integrated: non-null values at times later than the previous row's, with
    their time (ns, float) and bounds; the order of decreasing times is an error."""
    time = pl.col(node.time_column).dt.epoch("ns")
    step = over(time.diff(), tf.key)
    if tf.frame.select((step < 0).any()).item():
        raise ctx.error(node, "integral found out-of-order times in time column")
    frame = tf.frame.filter((step.is_null() | (step != 0)) & pl.col(node.column).is_not_null())
    return frame.select(*tf.key, pl.col(node.column).cast(pl.Float64).alias(_V),
                        time.alias(_T), row_index(tf.key, _ORDER))


def _integrals(ctx: ExecContext, node: Integral, tf: TableFrame) -> pl.DataFrame:
    points = _points(ctx, node, tf)
    key = tf.key
    units = pl.lit(pl.repeat(float(node.unit), points.height, dtype=pl.Float64, eager=True))
    v, t = pl.col(_V), pl.col(_T)
    v0, t0 = over(v.shift(1), key), over(t.shift(1), key)
    trapezoid = (0.5 * (v + v0)) * (t - t0).cast(pl.Float64) / units
    terms = [points.select(*key, (pl.col(_ORDER) * 2).alias(_ORDER), trapezoid.alias(_TERM))]
    if node.interpolate:
        terms += _interpolated(points, key, units)
    ordered = pl.concat(terms).filter(pl.col(_TERM).is_not_null()).sort(_ORDER, maintain_order=True)
    sums = aggregate(ordered, key, [pl.col(_TERM).cum_sum().last().alias(node.column)])
    counts = aggregate(points, key, [pl.len().alias("\0n"), v.first().alias("\0first")])
    out = _every_table(tf).join(sums, on=list(key), how="left", nulls_equal=True) \
        .join(counts, on=list(key), how="left", nulls_equal=True)
    single = pl.col("\0n") == 1
    value = pl.col(node.column).fill_null(0.0)
    if node.interpolate:
        width = (pl.col("_stop").dt.epoch("ns") - pl.col("_start").dt.epoch("ns"))
        value = pl.when(single).then(pl.col("\0first") * width.cast(pl.Float64)
                                     / float(node.unit)).otherwise(value)
    else:
        value = pl.when(single).then(0.0).otherwise(value)
    return out.select(*key, value.cast(pl.Float64).alias(node.column))


def _interpolated(points: pl.DataFrame, key: tuple[str, ...], units: pl.Expr
                  ) -> list[pl.DataFrame]:
    """The pieces from `_start` to the first point (added after the first trapezoid, as
    upstream adds it) and from the last point to `_stop` (added last)."""
    v, t = pl.col(_V), pl.col(_T)
    start, stop = pl.col("_start").dt.epoch("ns"), pl.col("_stop").dt.epoch("ns")
    v0, t0 = over(v.shift(1), key), over(t.shift(1), key)
    slope = (v - v0) / (t - t0).cast(pl.Float64)
    second = pl.col(_ORDER) == 1
    y = v0 - slope * (t0 - start).cast(pl.Float64)
    head = pl.when(second & (start < t0)).then(
        (0.5 * (y + v0)) * (t0 - start).cast(pl.Float64) / units)
    count = over(pl.len(), key)
    last = (pl.col(_ORDER) == count - 1) & (count >= 2)
    y_end = v + slope * (stop - t).cast(pl.Float64)
    tail = pl.when(last).then((0.5 * (y_end + v)) * (stop - t).cast(pl.Float64) / units)
    return [points.select(*key, (pl.col(_ORDER) * 2 + 1).alias(_ORDER), head.alias(_TERM)),
            points.select(*key, pl.lit(np.iinfo(np.int64).max).alias(_ORDER), tail.alias(_TERM))]


def _every_table(tf: TableFrame) -> pl.DataFrame:
    """One row per table, empty ones too: the key values."""
    tables = tf.frame.select(tf.key).unique(maintain_order=True)
    if tf.empty:
        schema = tables.schema
        rows = [tuple(v.ns if isinstance(v, Time) else v for v in values) for values in tf.empty]
        extra = pl.DataFrame(rows, schema={k: (pl.Int64 if isinstance(schema[k], pl.Datetime)
                                               else schema[k]) for k in tf.key}, orient="row")
        extra = extra.with_columns(pl.col(k).cast(pl.Datetime("ns")).dt.replace_time_zone("UTC")
                                   .cast(schema[k]) for k in tf.key
                                   if isinstance(schema[k], pl.Datetime))
        tables = pl.concat([tables, extra])
    return tables
