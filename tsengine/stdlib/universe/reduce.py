"""`reduce(fn: (r, accumulator) => record, identity: record)`: each table folded into one row.

As upstream reduce.go: the accumulator starts as `identity` and becomes `fn(r, accumulator)`
row after row; a table without rows gives the identity. The output row holds the key columns
(key order; an accumulator property of that name replaces the key value), then the other
accumulator properties sorted by label. A null among those is an error, as is two tables
reduced to the same key.

reduce is defined row by row, and that is the fallback. A function whose every property is one
of `accumulator.x + <expression of r>` (a running sum, or count), `accumulator.x` (unchanged)
or `<expression of r>` (the last row's value) is computed over whole frames instead, the
expressions compiled as map compiles its function; sums add one value after another from the
identity, as the row loop does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.errors import FluxRuntimeError
from tsengine.execute import pertable
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import FLUX_TYPES, TableFrame, TableStream
from tsengine.flux import ast
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.lambdas import NotCompilable, TypeConflict, compile_record
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Record, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream
from tsengine.stdlib.join.two_records import (
    as_row_function,
    evaluate,
    flux_column,
    python_rows,
    returned_expression,
)
from tsengine.stdlib.universe.aggregates import key_rows

ACC = "accumulator"


@dataclass(eq=False)
class Reduce(PlanNode):
    """Each table folded by `fn` into one row, starting from `identity`."""

    input: PlanNode
    fn: Closure
    identity: Record

    function: ClassVar[str] = "reduce"

    def describe(self) -> str:
        return f"Reduce(identity={self.identity!r})"


@builtin("reduce", pipe="tables")
def reduce(ctx: CallContext, tables: Any, fn: Any, identity: Any) -> Stream:
    tables = require_stream("reduce", tables)
    if not isinstance(fn, Closure):
        raise OperatorError(f"reduce(): fn must be a function, found {type_name(fn)}")
    if sorted(p.name for p in fn.node.params if p.default is None) != [ACC, "r"]:
        raise OperatorError("reduce(): fn must be a function of r and accumulator")
    if not isinstance(identity, Record):
        raise OperatorError(f"reduce(): identity must be an object, got {type_name(identity)}")
    return Stream(Reduce(tables.node, fn, identity, span=ctx.span))


@implements(Reduce)
def run_reduce(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Reduce)
    out = []
    for tf in inputs[0].frames:
        parts = []
        if tf.frame.height:
            parts.append(_vectorized(ctx, node, tf) or _row_by_row(ctx, node, tf))
        if tf.empty:
            parts.append(_identity_rows(ctx, node, tf))
        if parts:
            out.append(_output(ctx, node, tf.key, *_stacked(ctx, node, parts)))
    return merged_stream(ctx, node, out)


# a table's key values and its final accumulator, one row per table, as two frames (a property
# may have the name of a key column)
Rows = tuple[pl.DataFrame, pl.DataFrame]


# -- row by row ---------------------------------------------------------------------------------
def _row_by_row(ctx: ExecContext, node: Reduce, tf: TableFrame) -> Rows:
    """Calls of `fn` on each row, an accumulator per table: the key columns then the final
    accumulators' properties, one row per table with rows."""
    ids, tables = pertable.table_ids(tf.frame, tf.key)
    accumulators: dict[int, Record] = {}
    for table, row in zip(ids.to_list(), python_rows(tf.frame), strict=True):
        args = {"r": Record(row, row=True), ACC: accumulators.get(table, node.identity)}
        try:
            result = ctx.interp.call(node.fn, args, node.fn.node)
        except FluxRuntimeError as e:
            raise ctx.error(node, f"failed to evaluate reduce function: {e.message}") from None
        if not isinstance(result, Record):
            raise ctx.error(node, f"failed to evaluate reduce function: the function must "
                                  f"return a record, returned {type_name(result)}")
        accumulators[table] = result
    finals = [accumulators[i] for i in tables.get_column("\0table").to_list()]
    return tables.select(tf.key), pl.DataFrame(_columns(ctx, node, finals))


def _identity_rows(ctx: ExecContext, node: Reduce, tf: TableFrame) -> Rows:
    """The rows of tables without rows: their key, and the identity."""
    identity = [node.identity] * len(tf.empty)
    return key_rows(tf, tf.empty), pl.DataFrame(_columns(ctx, node, identity))


def _columns(ctx: ExecContext, node: Reduce, records: list[Record]) -> list[pl.Series]:
    labels = dict.fromkeys(label for record in records for label in record)
    out = []
    for label in labels:
        column = flux_column(label, [r.get(label) for r in records], None)
        if isinstance(column, str):
            raise ctx.error(node, column.replace("map object", "reduce accumulator"))
        out.append(column if column is not None else pl.Series(label, [None] * len(records)))
    return out


# -- over whole frames --------------------------------------------------------------------------
def _vectorized(ctx: ExecContext, node: Reduce, tf: TableFrame) -> Rows | None:
    """The rows of the tables with rows, computed over the frame; None if `fn` does not fit
    the forms this knows (or a value may differ from Flux's)."""
    try:
        steps = _steps(node)
        if not steps:
            return None
        compiled = _compiled(ctx, node, tf, steps)
    except NotCompilable:
        return None
    if compiled is None:
        return None
    values = evaluate(tf.frame, compiled)
    if values is None:
        return None
    frame = tf.frame.select(tf.key).with_columns(values.get_columns())
    aggs = []
    first = pertable.row_index(tf.key) == 0
    for i, (label, (kind, _)) in enumerate(steps.items()):
        start = node.identity[label]
        if kind == "keep":
            aggs.append(_literal(start).first().alias(f"\0a{i}"))
            continue
        value = pl.col(f"\0e{i}")
        if kind == "last":
            aggs.append(value.last().alias(f"\0a{i}"))
            continue
        frame = frame.with_columns(pl.when(first).then(_literal(start) + value)
                                   .otherwise(value).alias(f"\0e{i}"))
        total = pl.when(value.null_count() > 0).then(None).otherwise(value.cum_sum().last())
        aggs.append(total.alias(f"\0a{i}"))
    rows = pertable.aggregate(frame, tf.key, aggs)
    return rows.select(tf.key), rows.select(pl.col(f"\0a{i}").alias(label)
                                            for i, label in enumerate(steps))


def _literal(value: Any) -> pl.Expr:
    kind = type_name(value)
    raw = value.value if kind == "uint" else value.ns if kind == "time" else value
    return pl.lit(raw, pl.Int64 if kind == "time" else FLUX_TYPES[kind]).cast(FLUX_TYPES[kind])


Step = tuple[str, ast.Expr | None]  # ("sum" | "last" | "keep", expression of r)


def _steps(node: Reduce) -> dict[str, Step]:
    """How each accumulator property moves from row to row, in the identity's order."""
    body = returned_expression(node.fn)
    if not isinstance(body, ast.RecordExpr):
        raise NotCompilable("the function does not return a record literal")
    props: dict[str, ast.Expr] = {}
    if body.with_ is not None:
        if body.with_.name != ACC:
            raise NotCompilable("a record extending something other than the accumulator")
        props = {k: ast.MemberExpr(ast.Identifier(ACC, span=body.span), k, span=body.span)
                 for k in node.identity}
    for p in body.properties:
        props[p.key] = p.value if p.value is not None else ast.Identifier(p.key, span=p.span)
    if set(props) != set(node.identity) or any(
            type_name(v) not in FLUX_TYPES for v in node.identity.values()):
        raise NotCompilable("properties other than the identity's")
    return {label: _step(label, props[label]) for label in node.identity}


def _step(label: str, value: ast.Expr) -> Step:
    if _is_acc(value, label):
        return "keep", None
    if not _uses_acc(value):
        return "last", value
    if isinstance(value, ast.BinaryExpr) and value.operator == "+":
        for mine, other in ((value.left, value.right), (value.right, value.left)):
            if _is_acc(mine, label) and not _uses_acc(other):
                return "sum", other
    raise NotCompilable(f"{label} is not a sum, a count or a row value")


def _is_acc(node: ast.Expr, label: str) -> bool:
    return (isinstance(node, ast.MemberExpr) and isinstance(node.object, ast.Identifier)
            and node.object.name == ACC and node.property == label)


def _uses_acc(node: ast.Node) -> bool:
    return any(isinstance(n, ast.Identifier) and n.name == ACC for n in ast.walk(node))


def _compiled(ctx: ExecContext, node: Reduce, tf: TableFrame, steps: dict[str, Step]) -> Any:
    """The steps' row expressions compiled as one record `{\\0e<i>: ...}`; None when a type
    differs from the identity's (Flux's error, or a sum of strings: row by row)."""
    span = node.fn.node.span
    props = tuple(ast.Property(f"\0e{i}", expr, span=span)
                  for i, (_, expr) in enumerate(steps.values()) if expr is not None)
    record = ast.FunctionExpr(node.fn.node.params, ast.RecordExpr(props, span=span), span=span)
    fn = as_row_function(Closure(record, node.fn.scope, node.fn.name), {"r": ""},
                         {"r": tf.frame.columns})
    try:
        compiled = compile_record(fn, ctx.interp, tf.frame.schema)
    except TypeConflict:
        return None
    for i, (label, (kind, expr)) in enumerate(steps.items()):
        if expr is None:
            continue
        typed = compiled.columns.get(f"\0e{i}")
        wanted = type_name(node.identity[label])
        if typed is None or typed[1] != wanted or (kind == "sum" and wanted not in (
                "int", "uint", "float")):
            return None
    return compiled


# -- the output ---------------------------------------------------------------------------------
def _stacked(ctx: ExecContext, node: Reduce, parts: list[Rows]) -> Rows:
    if len(parts) == 1:
        return parts[0]
    try:
        return (pl.concat([k for k, _ in parts], how="vertical"),
                pl.concat([a for _, a in parts], how="diagonal"))
    except pl.exceptions.PolarsError:
        raise ctx.error(node, "the reduce function returned values of different types "
                              "for different tables") from None


def _output(ctx: ExecContext, node: Reduce, key: tuple[str, ...], keys: pl.DataFrame,
            accumulators: pl.DataFrame) -> TableFrame:
    """One row per table: key columns, then the other accumulator properties sorted."""
    others = sorted(c for c in accumulators.columns if c not in key)
    for label in others:
        if accumulators.get_column(label).null_count():
            raise ctx.error(node, f'null values are not supported for "{label}" in the '
                                  f"reduce() function")
    keyed = [(accumulators if k in accumulators.columns else keys).get_column(k) for k in key]
    out = accumulators.select(others).with_columns(keyed).select([*key, *others])
    if key and any(k in accumulators.columns for k in key) and out.select(
            key).is_duplicated().any():
        raise ctx.error(node, "two reducers writing result to the same table")
    return TableFrame(out, key)
