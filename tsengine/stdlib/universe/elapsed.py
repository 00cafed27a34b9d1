"""`elapsed(unit, timeColumn, columnName)`: the time since the previous row, in `unit`s.

As upstream: the first row of each table goes; an int column `columnName` is appended holding
int64((t - t_prev) / unit), computed on float64 nanoseconds as upstream does (so very small
units on today's timestamps round as InfluxDB's do). A time column that is not of type time
leaves the tables without rows, as upstream's loop then appends none.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import emptied

SECOND = 1_000_000_000


@dataclass(eq=False)
class Elapsed(PlanNode):
    """Time between subsequent rows of `time_column`, in `unit` nanoseconds."""

    input: PlanNode
    unit: int
    time_column: str
    column_name: str

    function: ClassVar[str] = "elapsed"


@builtin("elapsed", pipe="tables")
def elapsed(ctx: CallContext, tables: Any, unit: Any = None, timeColumn: Any = "_time",  # noqa: N803
            columnName: Any = "elapsed") -> Stream:  # noqa: N803
    tables = require_stream("elapsed", tables)
    if unit is not None and not isinstance(unit, Duration):
        raise OperatorError(f"elapsed(): unit must be a duration, found {type_name(unit)}")
    for name, value in (("timeColumn", timeColumn), ("columnName", columnName)):
        if not isinstance(value, str):
            raise OperatorError(f"elapsed(): {name} must be a string, found {type_name(value)}")
    return Stream(Elapsed(tables.node, SECOND if unit is None else unit.approx_ns(), timeColumn,
                          columnName, span=ctx.span))


@implements(Elapsed)
def run_elapsed(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Elapsed)
    frames = []
    for tf in inputs[0].frames:
        dtype = tf.frame.schema.get(node.time_column)
        if dtype is None:
            raise ctx.error(node, f'column "{node.time_column}" does not exist')
        if not isinstance(dtype, pl.Datetime):
            frames.append(emptied(tf, tf.frame.head(0)))
            continue
        time = pl.col(node.time_column).dt.epoch("ns").fill_null(0).cast(pl.Float64)
        # a divisor column: Polars divides by a scalar as a product with its reciprocal
        units = pl.lit(pl.repeat(float(node.unit), tf.frame.height, dtype=pl.Float64, eager=True))
        step = ((time - over(time.shift(1), tf.key)) / units).cast(pl.Int64, strict=False)
        frame = tf.frame.drop(node.column_name, strict=False) \
            .with_columns(step.alias(node.column_name))
        source = TableFrame(frame, tf.key, tf.empty)
        frames.append(emptied(source, frame.filter(row_index(tf.key) > 0)))
    return TableStream(frames)
