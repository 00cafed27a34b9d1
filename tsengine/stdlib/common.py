"""Checks and steps that many stdlib functions share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tsengine.execute.executor import ExecContext
from tsengine.execute.table import (
    RANK,
    SchemaError,
    TableFrame,
    TableStream,
    merge_same_keys,
    ranked,
)
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


def regrouped(ctx: ExecContext, node: PlanNode, frames: list[TableFrame],
              transform: Callable[[TableFrame], TableFrame | None],
              changes_key: Callable[[TableFrame], bool]) -> TableStream:
    """A row-preserving transformation of each frame that may change group keys, then the
    tables that now share a key merged, each holding the old tables in their order.

    `changes_key(frame)` says whether the transformation changes the frame's key columns or
    values; only then are rows ranked by their old table (which costs a join).
    """
    if not any(changes_key(tf) for tf in frames):
        return merged_stream(ctx, node, [o for o in map(transform, frames) if o is not None])
    out = []
    for tf in ranked(frames):
        rank = tf.frame.get_column(RANK)
        done = transform(TableFrame(tf.frame.drop(RANK), tf.key, tf.empty))
        if done is not None:
            out.append(TableFrame(done.frame.with_columns(rank), done.key, done.empty))
    return merged_stream(ctx, node, out)


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
