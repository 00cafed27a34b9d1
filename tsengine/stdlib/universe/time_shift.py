"""`timeShift(duration, columns)`: time columns moved by a duration, calendar-aware.

As upstream: months first (the day clamped to the month's end), then the rest; nulls stay
null; listed columns that are absent are ignored, a listed column of another type is an error.
Shifted key columns shift the group key (tables whose keys then coincide merge).
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
from tsengine.flux.values import Duration, Time, add_duration, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream
from tsengine.stdlib.universe.difference import string_array


@dataclass(eq=False)
class TimeShift(PlanNode):
    """`columns` moved by `duration`."""

    input: PlanNode
    duration: Duration
    columns: tuple[str, ...]

    function: ClassVar[str] = "timeShift"


@builtin("timeShift", pipe="tables")
def time_shift(ctx: CallContext, tables: Any, duration: Any, columns: Any = None) -> Stream:
    tables = require_stream("timeShift", tables)
    if not isinstance(duration, Duration):
        raise OperatorError(f"timeShift(): duration must be a duration, found "
                            f"{type_name(duration)}")
    cols = ("_time", "_stop", "_start") if columns is None \
        else string_array("timeShift", "columns", columns)
    return Stream(TimeShift(tables.node, duration, cols, span=ctx.span))


def shifted(expr: pl.Expr, duration: Duration) -> pl.Expr:
    """`expr` (a time column) plus `duration`: months by the calendar, then nanoseconds."""
    if duration.months:
        expr = expr.dt.offset_by(f"{duration.months}mo")
    if duration.nanoseconds:
        expr = expr + pl.duration(nanoseconds=duration.nanoseconds)
    return expr


@implements(TimeShift)
def run_time_shift(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, TimeShift)
    frames = []
    for tf in inputs[0].frames:
        columns = [c for c in dict.fromkeys(node.columns) if c in tf.frame.columns]
        for col in columns:
            if not isinstance(tf.frame.schema[col], pl.Datetime):
                raise ctx.error(node, f'column "{col}" is not of type time')
        frame = tf.frame.with_columns(shifted(pl.col(c), node.duration) for c in columns)
        at = [i for i, k in enumerate(tf.key) if k in columns]
        empty = [tuple(add_duration(v, node.duration) if i in at and isinstance(v, Time) else v
                       for i, v in enumerate(values)) for values in tf.empty]
        frames.append(TableFrame(frame, tf.key, empty))
    return merged_stream(ctx, node, frames)
