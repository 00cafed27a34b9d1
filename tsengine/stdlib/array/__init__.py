"""Package `array`: `array.from(rows:)`, an array of records as a table source, and the array
helpers `concat`, `map` and `filter`.

`array.from` builds one table with an empty group key; its columns are the records'
properties in the order the first record lists them (a property a record lacks is null there).
A column of nulls only is a string column unless a null is typed (`debug.null(type: "int")`).
Values must be of a column type (bool, int, uint, float, string, time). Like `csv.from` it is
not a storage read: no planner rule pushes anything into it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import FLUX_TYPES, TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, Record, type_name
from tsengine.plan.nodes import PlanNode, Stream


@dataclass(eq=False)
class ArrayFrom(PlanNode):
    """One table made of the rows of an array of records."""

    rows: tuple[Record, ...]

    function: ClassVar[str] = "array.from"

    def describe(self) -> str:
        return f"ArrayFrom({len(self.rows)} rows)"


@builtin("from", package="array", pipe="rows")
def from_(ctx: CallContext, rows: Any) -> Stream:
    if not isinstance(rows, Array) or not all(isinstance(r, Record) for r in rows):
        raise OperatorError(f"array.from(): rows must be an array of records, got "
                            f"{type_name(rows)}")
    if not rows:
        raise OperatorError("array.from(): rows must be non-empty")
    rows_frame(tuple(rows))  # built now too: a value no column can hold is the call's error
    return Stream(ArrayFrom(tuple(rows), span=ctx.span))


@implements(ArrayFrom)
def run_array_from(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, ArrayFrom)
    return TableStream([TableFrame(rows_frame(node.rows), ())])


def rows_frame(rows: tuple[Record, ...]) -> pl.DataFrame:
    """The records as columns (a record per row)."""
    labels = list(dict.fromkeys(label for row in rows for label in row))
    return pl.DataFrame([_column(label, [row.get(label) for row in rows],
                                 {row.null_type(label) for row in rows} - {None})
                         for label in labels])


def _column(label: str, values: list[Any], null_kinds: set[str | None]) -> pl.Series:
    """A column of the values; typed nulls (`debug.null(type:)`) count for its type."""
    kinds = {type_name(v) for v in values if v is not None} | null_kinds
    if len(kinds) > 1:
        raise OperatorError(f"array.from(): column {label} has values of several types "
                            f"{sorted(kinds)}")
    kind = kinds.pop() if kinds else "string"
    if kind not in FLUX_TYPES:
        raise OperatorError(f"array.from(): cannot represent the type {kind} as column data")
    if kind == "time":
        return pl.Series(label, [None if v is None else v.ns for v in values],
                         dtype=pl.Int64).cast(TIME_DTYPE)
    if kind == "uint":
        return pl.Series(label, [None if v is None else v.value for v in values],
                         dtype=pl.UInt64)
    return pl.Series(label, values, dtype=FLUX_TYPES[kind])


# -- array helpers ----------------------------------------------------------------------------
@builtin("concat", package="array", pipe="arr")
def concat(ctx: CallContext, arr: Any, v: Any) -> Array:
    for name, value in (("arr", arr), ("v", v)):
        if not isinstance(value, Array):
            raise OperatorError(f"array.concat(): {name} must be an array, found "
                                f"{type_name(value)}")
    kinds = {type_name(x) for x in (*arr, *v) if x is not None}
    if len(kinds) > 1:
        raise OperatorError(f"array.concat(): arrays of different types {sorted(kinds)}")
    return Array((*arr, *v))


@builtin("map", package="array", pipe="arr")
def map_(ctx: CallContext, arr: Any, fn: Any) -> Array:
    _check("array.map", arr, fn)
    out = [ctx.interp.call(fn, {"x": x}, fn.node) for x in arr]
    kinds = {type_name(x) for x in out if x is not None}
    if len(kinds) > 1:
        raise OperatorError(f"array.map(): fn returned values of several types {sorted(kinds)}")
    return Array(out)


@builtin("filter", package="array", pipe="arr")
def filter_(ctx: CallContext, arr: Any, fn: Any) -> Array:
    _check("array.filter", arr, fn)
    kept = []
    for x in arr:
        keep = ctx.interp.call(fn, {"x": x}, fn.node)
        if keep is not None and not isinstance(keep, bool):
            raise OperatorError(f"array.filter(): fn must return a bool, returned "
                                f"{type_name(keep)}")
        if keep:
            kept.append(x)
    return Array(kept)


def _check(function: str, arr: Any, fn: Any) -> None:
    if not isinstance(arr, Array):
        raise OperatorError(f"{function}(): arr must be an array, found {type_name(arr)}")
    if not isinstance(fn, Closure):
        raise OperatorError(f"{function}(): fn must be a function, found {type_name(fn)}")

