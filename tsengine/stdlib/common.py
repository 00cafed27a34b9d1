"""Checks and steps that many stdlib functions share."""

from __future__ import annotations

from typing import Any

from tsengine.execute.executor import ExecContext
from tsengine.execute.table import SchemaError, TableFrame, TableStream, merge_same_keys
from tsengine.flux.functions import Closure
from tsengine.flux.operators import OperatorError
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream


def require_stream(function: str, tables: Any) -> Stream:
    """The piped-in tables, or the error a function gives when something else was piped."""
    if not isinstance(tables, Stream):
        raise OperatorError(f"{function}() needs a stream of tables, found {type_name(tables)}")
    return tables


def merged_stream(ctx: ExecContext, node: PlanNode, frames: list[TableFrame]) -> TableStream:
    """A stream of frames, tables that now share a key merged (a type clash is an error)."""
    try:
        return TableStream(merge_same_keys(frames))
    except SchemaError as e:
        raise ctx.error(node, str(e)) from None


def with_key_value(keys: list[tuple[object, ...]], at: int, value: object
                   ) -> list[tuple[object, ...]]:
    """Key values with position `at` replaced, duplicates removed (for empty tables)."""
    return list(dict.fromkeys(k[:at] + (value,) + k[at + 1:] for k in keys))


def call_on_column(ctx: ExecContext, node: PlanNode, fn: Closure, column: str,
                   returns: type, cache: dict[str, Any]) -> Any:
    """`fn(column: name)` for a column-choosing function (keep, drop, rename), once per name;
    a result of another type than `returns` is the function's error."""
    if column not in cache:
        params = [p.name for p in fn.node.params]
        result = ctx.interp.call(fn, {params[0] if params else "column": column}, fn.node)
        if not isinstance(result, returns):
            wanted = "a bool" if returns is bool else "a string"
            raise ctx.error(node, f"fn must return {wanted}, returned {type_name(result)}")
        cache[column] = result
    return cache[column]
