"""Functions of two records (`as: (l, r) => ...`, reduce's `(r, accumulator) => ...`) compiled
as map compiles a row function.

The two records become one row: each parameter's properties are columns whose labels carry a
prefix per parameter, so `l._value` reads column `<prefix of l>_value`. The function is
rewritten into a one-parameter function of that row (block-local variables inlined, `{l with
...}` spelled out) and handed to lambdas.compile_record; what does not fit raises NotCompilable
and the caller evaluates the function row by row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from tsengine.execute.table import FLUX_TYPES, TIME_DTYPE
from tsengine.flux import ast
from tsengine.flux.functions import Closure
from tsengine.flux.lambdas import CompiledRecord, NotCompilable
from tsengine.flux.values import Time, UInt, type_name

ROW = "\0row"


def returned_expression(fn: Closure) -> ast.Expr:
    """The expression a function returns, block-local variables inlined into it."""
    body = fn.node.body
    if not isinstance(body, ast.Block):
        return body
    *assignments, last = body.body
    if not isinstance(last, ast.ReturnStatement):
        raise NotCompilable("the block does not end with a return")
    rewriter = _Rewriter({}, {})
    for stmt in assignments:
        if not isinstance(stmt, ast.VariableAssignment):
            raise NotCompilable("a block statement other than an assignment")
        rewriter.env[stmt.name] = rewriter.expr(stmt.init)
    return rewriter.expr(last.argument)


def as_row_function(fn: Closure, prefixes: Mapping[str, str],
                    columns: Mapping[str, Sequence[str]]) -> Closure:
    """`fn` as a function of one row: `p.x` reads column `prefixes[p] + x`, `{p with ...}`
    lists `columns[p]`. Raises NotCompilable where the rewrite has no equivalent (a parameter
    used as a whole value, a nested function)."""
    rewriter = _Rewriter({}, {p: (prefixes[p], list(columns.get(p, ()))) for p in prefixes})
    body = rewriter.expr(returned_expression(fn))
    span = fn.node.span
    node = ast.FunctionExpr((ast.Parameter(ROW, span=span),), body, span=span)
    return Closure(node, fn.scope, fn.name)


class _Rewriter:
    """Inlines local variables and turns the parameters' members into members of ROW."""

    def __init__(self, env: dict[str, ast.Expr], params: dict[str, tuple[str, list[str]]]
                 ) -> None:
        self.env = env
        self.params = params

    def expr(self, node: Any) -> Any:
        if isinstance(node, ast.Identifier):
            if node.name in self.env:
                return self.env[node.name]
            if node.name in self.params:
                raise NotCompilable(f"{node.name} used as a whole record")
            return node
        if isinstance(node, ast.MemberExpr) and isinstance(node.object, ast.Identifier):
            name = node.object.name
            if name in self.params and name not in self.env:
                prefix = self.params[name][0]
                return ast.MemberExpr(ast.Identifier(ROW, span=node.object.span),
                                      prefix + node.property, span=node.span)
        if isinstance(node, ast.RecordExpr):
            return self.record(node)
        if isinstance(node, ast.Property):
            value = node.value if node.value is not None else ast.Identifier(node.key,
                                                                           span=node.span)
            return ast.Property(node.key, self.expr(value), span=node.span)
        if isinstance(node, ast.FunctionExpr):
            raise NotCompilable("a function inside the function")
        if not isinstance(node, ast.Node):
            return node
        changes = {f.name: self.value(getattr(node, f.name)) for f in dataclasses.fields(node)
                   if f.name != "span"}
        return dataclasses.replace(node, **changes)

    def value(self, value: Any) -> Any:
        if isinstance(value, tuple):
            return tuple(self.value(v) for v in value)
        return self.expr(value) if isinstance(value, ast.Node) else value

    def record(self, node: ast.RecordExpr) -> ast.RecordExpr:
        props = tuple(self.expr(p) for p in node.properties)
        if node.with_ is None:
            return ast.RecordExpr(props, span=node.span)
        name = node.with_.name
        if name not in self.params or name in self.env:
            raise NotCompilable("a record extending something other than a parameter")
        prefix, columns = self.params[name]
        given = {p.key for p in props}
        kept = tuple(ast.Property(c, ast.MemberExpr(ast.Identifier(ROW, span=node.span),
                                                    prefix + c, span=node.span), span=node.span)
                     for c in columns if c not in given)
        return ast.RecordExpr(kept + props, span=node.span)


def evaluate(frame: pl.DataFrame, compiled: CompiledRecord) -> pl.DataFrame | None:
    """The compiled record over the whole frame, each property cast to its Flux type; None
    where a guard says the expressions may differ from Flux (evaluate row by row instead)."""
    if not compiled.complete:
        return None
    exprs = []
    for i, column in enumerate(compiled.columns.values()):
        assert column is not None
        expr, kind = column
        exprs.append((expr if kind is None else expr.cast(FLUX_TYPES[kind])).alias(f"\0{i}"))
    guards = [g.alias(f"\0guard{i}") for i, g in enumerate(compiled.guards)]
    try:
        done = frame.with_columns(exprs + guards)
    except pl.exceptions.PolarsError:
        return None
    if guards and done.select(pl.any_horizontal(g.meta.output_name() for g in guards).any()
                              ).item():
        return None
    return done.select(pl.col(f"\0{i}").alias(name) for i, name in enumerate(compiled.columns))


def python_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """The frame's rows as Flux values (times as Time, uints as UInt), for row-wise calls."""
    times = [c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)]
    uints = {c for c, t in frame.schema.items() if t == pl.UInt64}
    rows = frame.with_columns(pl.col(times).dt.epoch("ns")).iter_rows(named=True)
    timed = set(times)
    return [{k: _flux_value(v, k in timed, k in uints) for k, v in row.items()} for row in rows]


def _flux_value(v: Any, time: bool, uint: bool) -> Any:
    if v is None:
        return None
    return Time(v) if time else UInt(v) if uint else v


def flux_column(label: str, cells: list[Any], kind: str | None) -> pl.Series | str | None:
    """A column from values a function returned: the Series, None when its type is unknown
    (every value null), or a message saying why the values cannot be a column."""
    kinds = {type_name(v) for v in cells if v is not None}
    if len(kinds) > 1:
        return f'property "{label}" has values of types {" and ".join(sorted(kinds))}'
    kind = next(iter(kinds), kind)
    if kind is None:
        return None
    if kind not in FLUX_TYPES:
        return (f'map object property "{label}" is {kind} type which is not supported in a '
                f"flux table")
    if kind == "uint":
        return pl.Series(label, [None if v is None else v.value for v in cells], pl.UInt64)
    if kind == "time":
        return pl.Series(label, [None if v is None else v.ns for v in cells],
                         pl.Int64).cast(TIME_DTYPE)
    return pl.Series(label, cells, FLUX_TYPES[kind])
