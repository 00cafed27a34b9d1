"""`experimental.set(o:)`: set columns to the values of a record, on every row.

Unlike universe `set`, values keep their types. A column that exists is replaced in place
(changing type if need be); the others are appended in the record's order. A key column keeps
its place in the key with the new value, so tables may merge.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import FLUX_TYPES, TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Record, Time, UInt, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import regrouped, require_stream, with_key_value


@dataclass(eq=False)
class ExperimentalSet(PlanNode):
    """Columns set to constant values."""

    input: PlanNode
    values: Record

    function: ClassVar[str] = "experimental.set"


@builtin("set", package="experimental", pipe="tables")
def set_(ctx: CallContext, tables: Any, o: Any) -> Stream:
    tables = require_stream("experimental.set", tables)
    if not isinstance(o, Record):
        raise OperatorError(f"experimental.set(): o must be a record, found {type_name(o)}")
    for label, value in o.items():
        if type_name(value) not in FLUX_TYPES:
            raise OperatorError(f"experimental.set(): cannot set column {label} to "
                                f"{type_name(value)}: not a column type")
    return Stream(ExperimentalSet(tables.node, o, span=ctx.span))


def literal(value: Any) -> pl.Expr:
    """A Flux value as a Polars literal of its column type."""
    if isinstance(value, Time):
        return pl.lit(value.ns, pl.Int64).cast(TIME_DTYPE)
    if isinstance(value, UInt):
        return pl.lit(value.value, pl.UInt64)
    return pl.lit(value, FLUX_TYPES[type_name(value)])


@implements(ExperimentalSet)
def run_set(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, ExperimentalSet)
    values = node.values

    def assign(tf: TableFrame) -> TableFrame:
        frame = tf.frame.with_columns(literal(v).alias(k) for k, v in values.items())
        empty = tf.empty
        for label, value in values.items():
            if label in tf.key:
                plain = value.value if isinstance(value, UInt) else value  # as key rows hold it
                empty = with_key_value(empty, tf.key.index(label), plain)
        return TableFrame(frame, tf.key, empty)

    return regrouped(ctx, node, inputs[0].frames, assign,
                     lambda tf: any(k in tf.key for k in values))
