"""`derivative(unit, nonNegative, columns, timeColumn, initialZero)`: rate of change per `unit`
between subsequent non-null values of each table.

Value columns become float. Rows whose time repeats the previous row's are removed, then the
first row of each table; times must not decrease nor be null. A null value gives null and is
not a "previous" value; with `nonNegative` a decrease gives null (0 with `initialZero`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index
from tsengine.execute.table import TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import (
    NUMERIC,
    emptied,
    require_bool,
    string_array,
    value_columns,
)

SECOND = 1_000_000_000


@dataclass(eq=False)
class Derivative(PlanNode):
    """Rates of change of `columns` per `unit` nanoseconds, along `time_column`."""

    input: PlanNode
    unit: int
    non_negative: bool
    columns: tuple[str, ...]
    time_column: str
    initial_zero: bool

    function: ClassVar[str] = "derivative"


@builtin("derivative", pipe="tables")
def derivative(ctx: CallContext, tables: Any, unit: Any = None,
               nonNegative: Any = False, columns: Any = None,  # noqa: N803
               timeColumn: Any = "_time", initialZero: Any = False) -> Stream:  # noqa: N803
    tables = require_stream("derivative", tables)
    if unit is not None and not isinstance(unit, Duration):
        raise OperatorError(f"derivative(): unit must be a duration, found {type_name(unit)}")
    if not isinstance(timeColumn, str):
        raise OperatorError("derivative(): timeColumn must be a string")
    return Stream(Derivative(
        tables.node, SECOND if unit is None else unit.approx_ns(),
        require_bool("derivative", "nonNegative", nonNegative),
        string_array("derivative", "columns", columns), timeColumn,
        require_bool("derivative", "initialZero", initialZero), span=ctx.span))


@implements(Derivative)
def run_derivative(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Derivative)
    frames = []
    for tf in inputs[0].frames:
        _check_time(ctx, node, tf.frame.schema)
        columns = value_columns(ctx, node, tf, node.columns)
        for col in columns:
            if tf.frame.schema[col] not in NUMERIC:
                raise ctx.error(node, f"unsupported derivative column type {col}:"
                                      f"{flux_type(tf.frame.schema[col])}")
        frame = _distinct_times(ctx, node, tf.frame, tf.key)
        # a divisor column, not a scalar: Polars divides by a scalar as a multiplication by
        # its reciprocal, which is not IEEE division (1e10 / 6e10 would end in ...69)
        units = pl.lit(pl.repeat(float(node.unit), frame.height, dtype=pl.Float64, eager=True))
        frame = frame.with_columns(_rate(node, col, frame.schema[col], tf.key, units)
                                   for col in columns)
        frames.append(emptied(tf, frame.filter(row_index(tf.key) > 0)))
    return TableStream(frames)


def _check_time(ctx: ExecContext, node: Derivative, schema: pl.Schema) -> None:
    dtype = schema.get(node.time_column)
    if dtype is None:
        raise ctx.error(node, f'no column "{node.time_column}" exists')
    if not isinstance(dtype, pl.Datetime):
        raise ctx.error(node, f'time column "{node.time_column}" is type {flux_type(dtype)} '
                              "and not time")


def _distinct_times(ctx: ExecContext, node: Derivative, frame: pl.DataFrame,
                    key: tuple[str, ...]) -> pl.DataFrame:
    """The rows whose time is later than the previous row's; an earlier time is an error."""
    if frame[node.time_column].null_count():
        raise ctx.error(node, "derivative found null time in time column")
    step = over(pl.col(node.time_column).dt.epoch("ns").diff(), key)
    if frame.select((step < 0).any()).item():
        raise ctx.error(node, "derivative found out-of-order times in time column")
    return frame.filter(step.is_null() | (step != 0))


def _rate(node: Derivative, col: str, dtype: pl.DataType, key: tuple[str, ...],
          units: pl.Expr) -> pl.Expr:
    """(v - v_prev) / ((t - t_prev) / unit), prev being the last non-null value and its time."""
    value = pl.col(col)
    time = pl.col(node.time_column).dt.epoch("ns")
    previous = over(value.shift(1).forward_fill(), key)
    previous_time = over(pl.when(value.is_not_null()).then(time).shift(1).forward_fill(), key)
    decreased = previous > value
    if dtype == pl.Float64:  # Go's comparisons are false with NaN; Polars orders NaN last
        decreased = decreased & ~previous.is_nan() & ~value.is_nan()
        diff = value - previous
    else:  # subtract the smaller from the larger: no wrapping, as upstream
        diff = pl.when(decreased).then(-(previous - value).cast(pl.Float64)) \
            .otherwise((value - previous).cast(pl.Float64))
    elapsed = (time - previous_time).cast(pl.Float64) / units
    none = pl.lit(None, pl.Float64)
    result = pl.when(value.is_null() | previous.is_null()).then(none)
    if node.non_negative:
        result = result.when(decreased).then(pl.lit(0.0) if node.initial_zero else none)
    return result.otherwise(diff.cast(pl.Float64) / elapsed).cast(pl.Float64).alias(col)
