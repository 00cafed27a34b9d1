"""`fill(column:, value: | usePrevious:)`: replace the nulls of a column.

With `value` the nulls become the value, which must have exactly the column's type; a column
the table lacks is appended, holding the value. With `usePrevious: true` a null becomes the
last non-null value above it in its table (leading nulls stay); a missing column is left
alone. On a group-key column only a null key value is filled (tables may then merge).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over
from tsengine.execute.table import FLUX_TYPES, TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Time, UInt, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import regrouped, require_stream, with_key_value

FILLABLE = ("bool", "int", "uint", "float", "string", "time")


@dataclass(eq=False)
class Fill(PlanNode):
    """Nulls of `column` replaced by `value`, or by the previous non-null (`use_previous`)."""

    input: PlanNode
    column: str = "_value"
    value: Any = None
    use_previous: bool = False

    function: ClassVar[str] = "fill"


@builtin("fill", pipe="tables")
def fill(ctx: CallContext, tables: Any, column: Any = "_value", value: Any = None,
         usePrevious: Any = None) -> Stream:  # noqa: N803
    tables = require_stream("fill", tables)
    if not isinstance(column, str):
        raise OperatorError(f"fill(): column must be a string, found {type_name(column)}")
    if value is not None and type_name(value) not in FILLABLE:
        raise OperatorError("fill(): value type for fill must be a valid primitive type "
                            "(bool, int, uint, float, string, time)")
    if (value is None) == (usePrevious is None):
        raise OperatorError("fill(): fill requires exactly one of value or usePrevious")
    if usePrevious is not None and not isinstance(usePrevious, bool):
        raise OperatorError(f"fill(): usePrevious must be a bool, found {type_name(usePrevious)}")
    if usePrevious is False:
        raise OperatorError("fill(): usePrevious: false needs a value to fill with")
    return Stream(Fill(tables.node, column, value, bool(usePrevious), span=ctx.span))


def literal(value: Any) -> pl.Expr:
    """A Flux value as a Polars literal of its column type."""
    kind = type_name(value)
    if isinstance(value, Time):
        return pl.lit(value.ns, pl.Int64).cast(FLUX_TYPES["time"])
    if isinstance(value, UInt):
        return pl.lit(value.value, pl.UInt64)
    return pl.lit(value, FLUX_TYPES[kind])


def _key_literal(value: Any) -> object:
    """A fill value as a key value (keys hold times as Time, uints as int)."""
    return value.value if isinstance(value, UInt) else value


@implements(Fill)
def run_fill(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Fill)
    col = node.column

    def check_type(tf: TableFrame) -> None:
        kind = flux_type(tf.frame.schema[col])
        if kind != type_name(node.value):
            raise ctx.error(node, f"fill column type mismatch: {kind}/{type_name(node.value)}")

    def has_null_key(tf: TableFrame) -> bool:
        at = tf.key.index(col)
        return tf.frame.get_column(col).null_count() > 0 or any(k[at] is None for k in tf.empty)

    def fill_frame(tf: TableFrame) -> TableFrame:
        if not tf.frame.height and not tf.empty:
            return tf
        if col not in tf.frame.columns:
            if node.use_previous:
                return tf
            return TableFrame(tf.frame.with_columns(literal(node.value).alias(col)), tf.key,
                              tf.empty)
        if col in tf.key:
            if node.use_previous or not has_null_key(tf):
                return tf
            check_type(tf)
            at = tf.key.index(col)
            empty = [k for k in tf.empty if k[at] is not None]
            empty += with_key_value([k for k in tf.empty if k[at] is None], at,
                                    _key_literal(node.value))
            frame = tf.frame.with_columns(pl.col(col).fill_null(literal(node.value)))
            return TableFrame(frame, tf.key, list(dict.fromkeys(empty)))
        if node.use_previous:
            filled = over(pl.col(col).forward_fill(), tf.key)
        else:
            check_type(tf)
            filled = pl.col(col).fill_null(literal(node.value))
        return TableFrame(tf.frame.with_columns(filled.alias(col)), tf.key, tf.empty)

    return regrouped(ctx, node, inputs[0].frames, fill_frame,
                     lambda tf: col in tf.key and not node.use_previous and has_null_key(tf))
