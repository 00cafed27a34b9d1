"""`difference(nonNegative, columns, keepFirst, initialZero)`: each value minus the previous
non-null value of its table.

int and uint columns give int, float gives float; the first row of each table is dropped
(kept with null under `keepFirst`). A null stays null and is not a "previous" value. With
`nonNegative` a decrease gives null, or the current value when `initialZero` is set too.
The helpers at the bottom are shared by derivative and cumulativeSum.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index
from tsengine.execute.table import TableFrame, TableStream, flux_type, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream

NUMERIC = (pl.Int64, pl.UInt64, pl.Float64)


@dataclass(eq=False)
class Difference(PlanNode):
    """Differences between subsequent non-null values of `columns`."""

    input: PlanNode
    non_negative: bool
    columns: tuple[str, ...]
    keep_first: bool
    initial_zero: bool

    function: ClassVar[str] = "difference"


@builtin("difference", pipe="tables")
def difference(ctx: CallContext, tables: Any, nonNegative: Any = False,  # noqa: N803
               columns: Any = None, keepFirst: Any = False,  # noqa: N803
               initialZero: Any = False) -> Stream:  # noqa: N803
    tables = require_stream("difference", tables)
    return Stream(Difference(
        tables.node, require_bool("difference", "nonNegative", nonNegative),
        string_array("difference", "columns", columns),
        require_bool("difference", "keepFirst", keepFirst),
        require_bool("difference", "initialZero", initialZero), span=ctx.span))


@implements(Difference)
def run_difference(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Difference)
    frames = []
    for tf in inputs[0].frames:
        columns = value_columns(ctx, node, tf, node.columns)
        for col in columns:
            _check_type(ctx, node, col, tf.frame.schema[col])
        frame = tf.frame.with_columns(_difference(node, col, tf.frame.schema[col], tf.key)
                                      for col in columns)
        if not node.keep_first:
            frame = frame.filter(row_index(tf.key) > 0)
        frames.append(emptied(tf, frame))
    return TableStream(frames)


def _check_type(ctx: ExecContext, node: PlanNode, col: str, dtype: pl.DataType) -> None:
    if isinstance(dtype, pl.Datetime):
        raise ctx.error(node, "difference does not support time columns. Try the elapsed "
                              "function")
    if dtype not in NUMERIC:
        raise ctx.error(node, f'difference does not support column "{col}" of type '
                              f'"{flux_type(dtype)}"')


def _difference(node: Difference, col: str, dtype: pl.DataType, key: tuple[str, ...]
                ) -> pl.Expr:
    """The column's differences, computed in each table at once (int for int and uint)."""
    value = pl.col(col)
    previous = over(value.shift(1).forward_fill(), key)  # the last non-null value above
    out = pl.Float64 if dtype == pl.Float64 else pl.Int64
    if dtype == pl.UInt64:  # wraps as Go's int64(uint64 - uint64) does
        diff, current = (value - previous).reinterpret(signed=True), value.reinterpret(signed=True)
    else:
        diff, current = value - previous, value
    first = pl.lit(0, out) if node.keep_first and node.initial_zero else pl.lit(None, out)
    result = pl.when(value.is_null()).then(pl.lit(None, out)).when(previous.is_null()).then(first)
    if node.non_negative:
        result = result.when(at_least_zero(diff, out)).then(diff)
        if node.initial_zero:
            result = result.when(at_least_zero(current, out)).then(current)
        result = result.otherwise(pl.lit(None, out))
    else:
        result = result.otherwise(diff)
    return result.cast(out).alias(col)


def at_least_zero(expr: pl.Expr, dtype: Any) -> pl.Expr:
    """`expr >= 0` as Go compares: NaN is not (Polars orders NaN above every number)."""
    if dtype == pl.Float64:
        return (expr >= 0) & ~expr.is_nan()
    return expr >= 0


# -- shared by difference, derivative and cumulativeSum ------------------------------------------
def require_bool(function: str, name: str, value: Any) -> bool:
    """A bool argument, or the call's error."""
    if not isinstance(value, bool):
        raise OperatorError(f"{function}(): {name} must be a bool, found {type_name(value)}")
    return value


def string_array(function: str, name: str, value: Any, default: str = "_value"
                 ) -> tuple[str, ...]:
    """An array-of-strings argument (`[default]` when not given), or the call's error."""
    if value is None:
        return (default,)
    if not isinstance(value, Array) or not all(isinstance(v, str) for v in value):
        raise OperatorError(f"{function}(): {name} must be an array of strings")
    return tuple(value)


def value_columns(ctx: ExecContext, node: PlanNode, tf: TableFrame, columns: tuple[str, ...]
                  ) -> list[str]:
    """The listed columns the frame has (absent ones are ignored, as upstream does).

    A group-key column would take different values on different rows of one table, which a
    table cannot hold: that is an error here (upstream leaves the key stale).
    """
    present = [c for c in dict.fromkeys(columns) if c in tf.frame.columns]
    for col in present:
        if col in tf.key:
            raise ctx.error(node, f'cannot compute over group key column "{col}"')
    return present


def emptied(tf: TableFrame, frame: pl.DataFrame) -> TableFrame:
    """`frame` (rows removed from `tf`) with the tables left without rows listed as empty."""
    empty = list(tf.empty)
    if frame.height < tf.frame.height:
        lost = key_values(tf.frame, tf.key) - key_values(frame, tf.key)
        empty += sorted(lost, key=repr)
    return TableFrame(frame, tf.key, empty)
