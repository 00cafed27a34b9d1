"""Flux functions over rows (`(r) => ...`) compiled to Polars expressions.

A compiled function runs over all rows of all tables at once. Variables other than the row are
constants taken from the function's scope. A construct with no expression form raises
NotCompilable, and the caller falls back to evaluating the function row by row.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import polars as pl

from tsengine.execute.table import flux_type
from tsengine.flux import ast
from tsengine.flux.functions import Closure
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.values import Duration, Regex, Time, UInt, type_name

_LITERAL_KINDS: dict[type, str] = {ast.IntegerLit: "int", ast.FloatLit: "float",
                                   ast.StringLit: "string", ast.BooleanLit: "bool"}
_COMPARE = {"==": "eq", "!=": "ne", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_ARITH = {"+": "add", "-": "sub", "*": "mul"}


class NotCompilable(Exception):
    """The function uses something with no Polars expression form."""


def row_param(fn: Closure) -> str:
    """The name of a row function's single parameter (`r` by convention)."""
    params = [p for p in fn.node.params if p.default is None and not p.pipe]
    if len(params) != 1:
        raise NotCompilable("a row function takes exactly one parameter")
    return params[0].name


def compile_predicate(fn: Closure, interp: Interpreter, schema: Mapping[str, pl.DataType],
                      missing_as_empty: frozenset[str] = frozenset()) -> pl.Expr:
    """A Boolean expression that is true exactly where `fn(r)` returns true.

    Columns in `missing_as_empty` read as "" where null or absent (InfluxDB's storage semantics
    for pushed-down tag comparisons).
    """
    if isinstance(fn.node.body, ast.Block):
        raise NotCompilable("block bodies are evaluated row by row")
    compiler = _Compiler(fn, interp, schema, missing_as_empty)
    return compiler.expr(fn.node.body).fill_null(False)


class _Compiler:
    def __init__(self, fn: Closure, interp: Interpreter, schema: Mapping[str, pl.DataType],
                 missing_as_empty: frozenset[str]) -> None:
        self.fn = fn
        self.interp = interp
        self.schema = schema
        self.param = row_param(fn)
        self.missing_as_empty = missing_as_empty

    def expr(self, node: ast.Expr) -> pl.Expr:
        if isinstance(node, ast.MemberExpr) and _is_ident(node.object, self.param):
            return self.column(node.property)
        if isinstance(node, ast.Identifier) and node.name == self.param:
            raise NotCompilable("the whole row used as a value")
        if isinstance(node, ast.BinaryExpr):
            return self.binary(node)
        if isinstance(node, ast.LogicalExpr):
            left, right = self.expr(node.left), self.expr(node.right)
            # Flux's row evaluator: `and` is false unless the left is true; `or` is true if the
            # left is true, else the right
            if node.operator == "and":
                return pl.when(left.fill_null(False)).then(right).otherwise(pl.lit(False))
            return pl.when(left.fill_null(False)).then(pl.lit(True)).otherwise(right)
        if isinstance(node, ast.UnaryExpr):
            if node.operator == "exists":
                if isinstance(node.argument, ast.MemberExpr) and _is_ident(node.argument.object,
                                                                            self.param):
                    col = node.argument.property
                    if col not in self.schema:
                        return pl.lit(False)
                    return pl.col(col).is_not_null()
                return self.expr(node.argument).is_not_null()
            inner = self.expr(node.argument)
            if node.operator == "not":
                return inner.not_()
            if node.operator == "-":
                return -inner
            return inner
        if isinstance(node, ast.ConditionalExpr):
            return (pl.when(self.expr(node.test).fill_null(False))
                    .then(self.expr(node.consequent)).otherwise(self.expr(node.alternate)))
        if self.uses_row(node):
            raise NotCompilable(f"{type(node).__name__} over the row")
        return self.constant(self.interp.evaluate(node, self.fn.scope.child()), node)

    def column(self, name: str) -> pl.Expr:
        if name in self.missing_as_empty:
            return pl.col(name).fill_null("") if name in self.schema else pl.lit("")
        if name not in self.schema:
            return pl.lit(None)
        return pl.col(name)

    def binary(self, node: ast.BinaryExpr) -> pl.Expr:
        op = node.operator
        if op in ("=~", "!~"):
            right = node.right
            if self.uses_row(right):
                raise NotCompilable("a regex built from the row")
            pattern = self.interp.evaluate(right, self.fn.scope.child())
            if not isinstance(pattern, Regex):
                raise NotCompilable(f"{op} needs a regex")
            found = self.expr(node.left).str.contains(pattern.pattern)
            return found if op == "=~" else found.not_()
        left, right = self.expr(node.left), self.expr(node.right)
        if op in _COMPARE:
            return getattr(left, _COMPARE[op])(right)
        if op in _ARITH:
            kinds = {self.kind(node.left), self.kind(node.right)}
            if None in kinds or len(kinds) > 1:
                # Flux does not mix int and float: let the row evaluator say where it fails
                raise NotCompilable(f"{op} on operands of unknown or different types")
            return getattr(left, _ARITH[op])(right)
        raise NotCompilable(f"operator {op} is evaluated row by row")

    def kind(self, node: ast.Expr) -> str | None:
        """The Flux type of an operand when it is known without evaluating rows."""
        if isinstance(node, ast.MemberExpr) and _is_ident(node.object, self.param):
            dtype = self.schema.get(node.property)
            return None if dtype is None else flux_type(dtype)
        return _LITERAL_KINDS.get(type(node))

    def constant(self, value: Any, node: ast.Node) -> pl.Expr:
        if value is None or isinstance(value, bool | int | float | str):
            return pl.lit(value)
        if isinstance(value, UInt):
            return pl.lit(value.value, pl.UInt64)
        if isinstance(value, Time):
            return pl.lit(value.ns).cast(pl.Datetime("ns", "UTC"))
        if isinstance(value, Duration | Regex):
            raise NotCompilable(f"a {type_name(value)} constant")
        raise NotCompilable(f"a {type_name(value)} value")

    def uses_row(self, node: ast.Node) -> bool:
        if isinstance(node, ast.Identifier):
            return node.name == self.param
        if isinstance(node, ast.FunctionExpr):
            return True
        for value in vars(node).values():
            items = value if isinstance(value, tuple) else (value,)
            for item in items:
                if isinstance(item, ast.Property):
                    item = item.value
                if isinstance(item, ast.Node) and self.uses_row(item):
                    return True
        return False


def _is_ident(node: ast.Expr, name: str) -> bool:
    return isinstance(node, ast.Identifier) and node.name == name
