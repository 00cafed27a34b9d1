"""`contains(value:, set:)`: whether an array holds a value.

A null value is in no set. Members must have the value's type (a mismatch is an error, as
upstream). Inside a row function the call compiles to `is_in` over the column.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tsengine.flux.functions import CallContext
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.lambdas import CallArg, CompiledCall, NotCompilable, expression_form
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, type_name

_PLAIN = ("string", "int", "float", "bool")  # kinds whose Python values Polars compares as Flux


@builtin("contains")
def contains(ctx: CallContext, value: Any, set: Any) -> bool:  # noqa: A002
    if not isinstance(set, Array):
        raise OperatorError(f"contains(): set must be an array, found {type_name(set)}")
    if value is None:
        return False
    kind = type_name(value)
    for member in set:
        if member is None:
            continue
        if type_name(member) != kind:
            raise OperatorError(f"contains(): value type {kind} does not match set type "
                                f"{type_name(member)}")
        if member == value:
            return True
    return False


@expression_form("contains")
def contains_form(args: dict[str, CallArg], interp: Interpreter) -> CompiledCall:
    """`contains(value: r.col, set: [...])` over a whole column."""
    value, members = args.get("value"), args.get("set")
    if value is None or members is None or not members.constant or value.constant:
        raise NotCompilable("contains of a constant, or of a set taken from the row")
    items = members.value
    if not isinstance(items, Array) or value.kind not in _PLAIN:
        raise NotCompilable("contains over a kind without a plain Python form")
    present = [m for m in items if m is not None]
    if any(type_name(m) != value.kind for m in present):
        raise NotCompilable("a set of another type (an error, raised row by row)")
    if not present:
        return pl.lit(False), "bool", []
    return value.expr.is_in(present).fill_null(False), "bool", []
