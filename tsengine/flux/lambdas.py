"""Flux functions over rows (`(r) => ...`) compiled to Polars expressions.

A compiled function runs over all rows of all tables at once. Variables other than the row are
constants taken from the function's scope. A construct with no expression form raises
NotCompilable, and the caller falls back to evaluating the function row by row. Predicates
(filter) compile with `compile_predicate`; functions returning records (map) with
`compile_record`, whose values carry their Flux types.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import polars as pl

from storage.regex import RegexSyntaxError, rust_regex
from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import FLUX_TYPES, SchemaError, flux_type
from tsengine.flux import ast
from tsengine.flux.functions import Builtin, Closure
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
    predicate = compiler.expr(fn.node.body).fill_null(False)
    if not compiler.guards:
        return predicate
    # rows where a compiled call may differ from Flux (a null a function refuses...): the
    # expression fails there, and the caller evaluates the rows one by one instead
    guard = pl.any_horizontal(compiler.guards).fill_null(False)
    return predicate & guard.map_batches(_fail_if_any, return_dtype=pl.Boolean).not_()


def _fail_if_any(guard: pl.Series) -> pl.Series:
    if guard.any():
        raise pl.exceptions.ComputeError("some rows must be evaluated one by one")
    return guard


_T = TypeVar("_T")


class _Compiler:
    def __init__(self, fn: Closure, interp: Interpreter, schema: Mapping[str, pl.DataType],
                 missing_as_empty: frozenset[str]) -> None:
        self.fn = fn
        self.interp = interp
        self.schema = schema
        self.param = row_param(fn)
        self.missing_as_empty = missing_as_empty
        # where any is true the expressions may differ from Flux: those rows go one by one
        self.guards: list[pl.Expr] = []

    def scoped(self, where: pl.Expr, compile_part: Callable[[], _T]) -> _T:
        """Compile a part that Flux evaluates only where `where` holds (the right side of
        `and`/`or`, a branch of `if`): its guards apply only there."""
        start = len(self.guards)
        out = compile_part()
        self.guards[start:] = [where & g for g in self.guards[start:]]
        return out

    def expr(self, node: ast.Expr) -> pl.Expr:
        if isinstance(node, ast.MemberExpr) and _is_ident(node.object, self.param):
            return self.column(node.property)
        if isinstance(node, ast.CallExpr) and self.uses_row(node):
            values = _ValueCompiler(self.fn, self.interp, self.schema, strict_nulls=False)
            values.guards = self.guards
            return values.call(node)[0]
        if isinstance(node, ast.Identifier) and node.name == self.param:
            raise NotCompilable("the whole row used as a value")
        if isinstance(node, ast.BinaryExpr):
            return self.binary(node)
        if isinstance(node, ast.LogicalExpr):
            left = self.expr(node.left)
            evaluated = left.fill_null(False)  # where the right side is evaluated
            if node.operator == "or":
                evaluated = evaluated.not_()
            right = self.scoped(evaluated, lambda: self.expr(node.right))
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
            test = self.expr(node.test).fill_null(False)
            then = self.scoped(test, lambda: self.expr(node.consequent))
            other = self.scoped(test.not_(), lambda: self.expr(node.alternate))
            return pl.when(test).then(then).otherwise(other)
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
            found = self.expr(node.left).str.contains(_rust_pattern(pattern))
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


def _rust_pattern(regex: Regex) -> str:
    """The pattern as Polars reads it, meaning what RE2 means; one that does not translate is
    left to the row evaluator to report."""
    try:
        return rust_regex(regex.pattern)
    except RegexSyntaxError:
        raise NotCompilable("an invalid pattern") from None


def _is_ident(node: ast.Expr, name: str) -> bool:
    return isinstance(node, ast.Identifier) and node.name == name


# -- record functions (map) ---------------------------------------------------------------------
# A compiled value: its expression and its Flux type (None: unknown, as a missing column's null)
Typed = tuple[pl.Expr, str | None]

_TIME_TEXT = "%Y-%m-%dT%H:%M:%S%.9fZ"  # how Flux strings a time: a fixed 9-digit fraction
_CONVERTERS = ("float", "int", "uint", "string", "bool", "time")
_VECTOR_OPS = frozenset({"+", "-", "*", "/", "%", "^", "==", "!=", "<", "<=", ">", ">="})


class TypeConflict(Exception):
    """An operator's operands have two types: Flux converts nothing implicitly."""


@dataclass
class CompiledRecord:
    """A record function compiled against one schema.

    `columns` holds each output property (None where it has no expression form); where any
    of `guards` is true the expressions may differ from Flux (a division by zero, a value a
    conversion refuses...), and the rows must be evaluated one by one instead. `vectorized`
    tells whether upstream Flux runs the function as a vectorized map.
    """

    columns: dict[str, Typed | None]
    guards: list[pl.Expr]
    vectorized: bool

    @property
    def complete(self) -> bool:
        return all(c is not None for c in self.columns.values())


def record_body(fn: Closure) -> ast.RecordExpr | ast.Identifier | None:
    """The record a row function returns, when its body is a record (or `{return record}`)."""
    body: Any = fn.node.body
    if isinstance(body, ast.Block):
        if len(body.body) != 1 or not isinstance(body.body[0], ast.ReturnStatement):
            return None
        body = body.body[0].argument
    return body if isinstance(body, ast.RecordExpr | ast.Identifier) else None


def is_vectorized(fn: Closure) -> bool:
    """Whether upstream Flux vectorizes this map function (libflux semantic/vectorize.rs).

    Only a function of one parameter named `r` returning a record literal qualifies, whose
    values use nothing but members of `r`, literals, `true`/`false`, arithmetic and comparison
    operators, `and`/`or`, unary operators, `if` and `float(v:)`. It matters: a vectorized
    map keeps the input's column order and follows the spec's three-valued logic for nulls.
    """
    params = fn.node.params
    if len(params) != 1 or params[0].name != "r":
        return False
    body = record_body(fn)
    if not isinstance(body, ast.RecordExpr):
        return False
    if body.with_ is not None and body.with_.name != "r":
        return False
    return all(p.value is not None and _vectorizes(p.value) for p in body.properties)


def _vectorizes(node: ast.Node) -> bool:
    if isinstance(node, ast.Identifier):
        return node.name in ("r", "true", "false")
    if isinstance(node, ast.MemberExpr):
        return _vectorizes(node.object)
    if isinstance(node, ast.UnaryExpr):
        return _vectorizes(node.argument)
    if isinstance(node, ast.BinaryExpr):
        return node.operator in _VECTOR_OPS and _vectorizes(node.left) and _vectorizes(node.right)
    if isinstance(node, ast.LogicalExpr):
        return _vectorizes(node.left) and _vectorizes(node.right)
    if isinstance(node, ast.ConditionalExpr):
        return all(_vectorizes(n) for n in (node.test, node.consequent, node.alternate))
    if isinstance(node, ast.StringLit):
        return node.is_plain
    if isinstance(node, ast.IntegerLit | ast.FloatLit | ast.DateTimeLit | ast.BooleanLit):
        return True
    if isinstance(node, ast.CallExpr):
        args = node.arguments
        return (isinstance(node.callee, ast.Identifier) and node.callee.name == "float"
                and len(args) == 1 and args[0].key == "v" and args[0].value is not None
                and _vectorizes(args[0].value))
    return False


def compile_record(fn: Closure, interp: Interpreter, schema: Mapping[str, pl.DataType]
                   ) -> CompiledRecord:
    """The output properties of a row function returning a record, as typed expressions.

    Raises NotCompilable when the body is not a record literal (or `r` itself), and
    TypeConflict when an operator mixes types (Flux's compile-time error).
    """
    body = record_body(fn)
    if body is None:
        raise NotCompilable("the function does not return a record literal")
    vectorized = is_vectorized(fn)
    compiler = _ValueCompiler(fn, interp, schema, strict_nulls=vectorized)
    if isinstance(body, ast.Identifier):
        if body.name != compiler.param:
            raise NotCompilable("the function returns a variable")
        return CompiledRecord({c: compiler.column_typed(c) for c in schema}, [], vectorized)
    columns: dict[str, Typed | None] = {}
    if body.with_ is not None:
        if body.with_.name != compiler.param:
            raise NotCompilable("a record extending another variable than the row")
        columns = {c: compiler.column_typed(c) for c in schema}
    for prop in body.properties:
        value = prop.value if prop.value is not None else ast.Identifier(prop.key, span=prop.span)
        try:
            columns[prop.key] = compiler.typed(value)
        except NotCompilable:
            columns[prop.key] = None
    return CompiledRecord(columns, compiler.guards, vectorized)


class _ValueCompiler(_Compiler):
    """Compiles expressions to (Polars expression, Flux type), for values that are kept."""

    def __init__(self, fn: Closure, interp: Interpreter, schema: Mapping[str, pl.DataType],
                 strict_nulls: bool) -> None:
        super().__init__(fn, interp, schema, frozenset())
        self.strict_nulls = strict_nulls

    def typed(self, node: ast.Expr) -> Typed:
        if isinstance(node, ast.MemberExpr) and _is_ident(node.object, self.param):
            return self.column_typed(node.property)
        if isinstance(node, ast.Identifier) and node.name == self.param:
            raise NotCompilable("the whole row used as a value")
        if isinstance(node, ast.StringLit) and not node.is_plain:
            return self.interpolation(node)
        if isinstance(node, ast.BinaryExpr):
            return self.binary_typed(node)
        if isinstance(node, ast.LogicalExpr):
            return self.logical(node)
        if isinstance(node, ast.UnaryExpr):
            return self.unary(node)
        if isinstance(node, ast.ConditionalExpr):
            return self.conditional(node)
        if isinstance(node, ast.CallExpr) and self.uses_row(node):
            return self.call(node)
        if self.uses_row(node):
            raise NotCompilable(f"{type(node).__name__} over the row")
        return self.constant_typed(self.interp.evaluate(node, self.fn.scope.child()))

    def column_typed(self, name: str) -> Typed:
        if name not in self.schema:
            return pl.lit(None), None
        dtype = self.schema[name]
        if dtype == pl.Null:
            return pl.col(name), None
        try:
            return pl.col(name), flux_type(dtype)
        except SchemaError:
            raise NotCompilable(f"column {name} of type {dtype}") from None

    def constant_typed(self, value: Any) -> Typed:
        if value is None:
            return pl.lit(None), None
        if isinstance(value, bool):
            return pl.lit(value, pl.Boolean), "bool"
        if isinstance(value, int):
            return pl.lit(value, pl.Int64), "int"
        if isinstance(value, float):
            return pl.lit(value, pl.Float64), "float"
        if isinstance(value, str):
            return pl.lit(value, pl.String), "string"
        if isinstance(value, UInt):
            return pl.lit(value.value, pl.UInt64), "uint"
        if isinstance(value, Time):
            return pl.lit(value.ns, pl.Int64).cast(FLUX_TYPES["time"]), "time"
        raise NotCompilable(f"a {type_name(value)} value")

    # -- operators ---------------------------------------------------------------------------
    def binary_typed(self, node: ast.BinaryExpr) -> Typed:
        op = node.operator
        if op in ("=~", "!~"):
            (left, kind), pattern = self.typed(node.left), self.regex(node.right)
            if kind not in ("string", None):
                raise NotCompilable(f"{op} on a {kind}")
            found = left.str.contains(pattern)
            return (found if op == "=~" else found.not_()), "bool"
        (left, lt), (right, rt) = self.typed(node.left), self.typed(node.right)
        if op in _COMPARE:
            if lt and rt and lt != rt and not ({lt, rt} <= {"int", "float"}
                                               or {lt, rt} <= {"uint", "float"}):
                raise NotCompilable(f"comparing {lt} with {rt}")
            if lt is None or rt is None:
                return pl.lit(None, pl.Boolean), "bool"
            return getattr(left, _COMPARE[op])(right), "bool"
        if lt and rt and lt != rt:
            raise TypeConflict(self.conflict(node, lt, rt))
        kind = lt or rt
        if kind is None:
            return pl.lit(None), None
        if lt is None or rt is None:
            if op == "^" and kind != "float":
                raise NotCompilable("^ of integers")
            return pl.lit(None, FLUX_TYPES[kind]), kind
        return self.arithmetic(op, kind, left, right), kind

    def regex(self, node: ast.Expr) -> str:
        if self.uses_row(node):
            raise NotCompilable("a regex built from the row")
        pattern = self.interp.evaluate(node, self.fn.scope.child())
        if not isinstance(pattern, Regex):
            raise NotCompilable("=~ needs a regex")
        return _rust_pattern(pattern)

    def arithmetic(self, op: str, kind: str, left: pl.Expr, right: pl.Expr) -> pl.Expr:
        if kind == "string" and op == "+":
            return left + right
        if kind not in ("int", "uint", "float") or (op == "^" and kind != "float"):
            raise NotCompilable(f"{op} on {kind} values")
        if op in _ARITH:
            return getattr(left, _ARITH[op])(right)
        if kind == "float":
            if op == "^":
                return left.pow(right)
            if op == "/":
                return left / _as_column(right)
            floor = left % right  # Polars' modulo takes the divisor's sign, Go's the dividend's
            return (pl.when((floor != 0) & ((floor < 0) != (left < 0)))
                    .then(floor - right).otherwise(floor))
        # integer division and remainder: by zero is an error, which the row evaluator raises
        self.guards.append((right == 0) & left.is_not_null())
        if kind == "uint":
            return left // right if op == "/" else left % right
        quotient = left // right  # floor: truncate toward zero instead, as Go does
        quotient = (pl.when(((left % right) != 0) & ((left < 0) != (right < 0)))
                    .then(quotient + 1).otherwise(quotient))
        return quotient if op == "/" else left - quotient * right

    def conflict(self, node: ast.BinaryExpr, lt: str, rt: str) -> str:
        """Upstream's words: a column's actual type against the type its use implies."""
        left_col, right_col = (self.is_column(n) for n in (node.left, node.right))
        if left_col and not right_col:
            return f"type conflict: {rt} != {lt}"
        if left_col or right_col:
            return f"type conflict: {lt} != {rt}"
        return f"expected {lt} but found {rt}"

    def is_column(self, node: ast.Expr) -> bool:
        return (isinstance(node, ast.MemberExpr) and _is_ident(node.object, self.param)
                and node.property in self.schema)

    def logical(self, node: ast.LogicalExpr) -> Typed:
        left, lt = self.typed(node.left)
        evaluated = pl.lit(True)  # where Flux evaluates the right side
        if not self.strict_nulls and lt in ("bool", None):
            evaluated = left.cast(pl.Boolean).fill_null(False)
            evaluated = evaluated if node.operator == "and" else evaluated.not_()
        right, rt = self.scoped(evaluated, lambda: self.typed(node.right))
        if lt not in ("bool", None) or rt not in ("bool", None):
            raise NotCompilable(f"{node.operator} of non-bool values")
        left, right = left.cast(pl.Boolean), right.cast(pl.Boolean)
        if self.strict_nulls:  # the spec's three-valued logic, which Polars implements
            return (left & right if node.operator == "and" else left | right), "bool"
        if node.operator == "and":
            return pl.when(left.fill_null(False)).then(right).otherwise(pl.lit(False)), "bool"
        return pl.when(left.fill_null(False)).then(pl.lit(True)).otherwise(right), "bool"

    def unary(self, node: ast.UnaryExpr) -> Typed:
        if node.operator == "exists":
            arg = node.argument
            if isinstance(arg, ast.MemberExpr) and _is_ident(arg.object, self.param):
                if arg.property not in self.schema:
                    return pl.lit(False), "bool"
                return pl.col(arg.property).is_not_null(), "bool"
            return self.typed(arg)[0].is_not_null(), "bool"
        value, kind = self.typed(node.argument)
        if node.operator == "not":
            if kind not in ("bool", None):
                raise NotCompilable(f"not of a {kind}")
            return value.cast(pl.Boolean).not_(), "bool"
        if kind is None:
            return pl.lit(None), None
        if kind not in ("int", "float") and not (node.operator == "+" and kind == "uint"):
            raise NotCompilable(f"unary {node.operator} of a {kind}")
        return (-value if node.operator == "-" else value), kind

    def conditional(self, node: ast.ConditionalExpr) -> Typed:
        test, tt = self.typed(node.test)
        if tt not in ("bool", None):
            raise NotCompilable("a condition that is not a bool")
        where = test.cast(pl.Boolean).fill_null(False)
        then, at = self.scoped(where, lambda: self.typed(node.consequent))
        other, bt = self.scoped(where.not_(), lambda: self.typed(node.alternate))
        if at and bt and at != bt:
            raise NotCompilable("branches of two types")
        kind = at or bt
        if kind is not None:
            then, other = then.cast(FLUX_TYPES[kind]), other.cast(FLUX_TYPES[kind])
        return pl.when(test.cast(pl.Boolean).fill_null(False)).then(then).otherwise(other), kind

    # -- calls and strings -------------------------------------------------------------------
    def call(self, node: ast.CallExpr) -> Typed:
        """A call over the row: a conversion, or a builtin with an expression form
        (EXPRESSION_FORMS); other calls are evaluated row by row."""
        callee = node.callee
        if isinstance(callee, ast.Identifier) and callee.name in _CONVERTERS:
            return self.conversion(node)
        if self.uses_row(callee):
            raise NotCompilable("a function taken from the row")
        try:
            fn = self.interp.evaluate(callee, self.fn.scope.child())
        except FluxRuntimeError:
            raise NotCompilable("a callee that fails to evaluate") from None
        form = EXPRESSION_FORMS.get((fn.package, fn.name)) if isinstance(fn, Builtin) else None
        if form is None:
            raise NotCompilable("a call with no expression form")
        assert isinstance(fn, Builtin)
        params = {p.name for p in fn.params}
        args = {}
        for prop in node.arguments:
            if prop.key not in params:
                raise NotCompilable("an unknown argument")  # the row evaluator says which
            value = prop.value if prop.value is not None else ast.Identifier(prop.key,
                                                                             span=prop.span)
            args[prop.key] = self.call_argument(value)
        expr, kind, guards = form(args, self.interp)
        self.guards.extend(g.fill_null(False) for g in guards)
        return expr, kind

    def call_argument(self, node: ast.Expr) -> CallArg:
        if self.uses_row(node):
            expr, kind = self.typed(node)
            return CallArg(expr, kind)
        try:
            value = self.interp.evaluate(node, self.fn.scope.child())
        except FluxRuntimeError:
            raise NotCompilable("an argument that fails to evaluate") from None
        try:
            expr, kind = self.constant_typed(value)
        except NotCompilable:  # a regex, a duration, a record: the form reads `value`
            expr, kind = pl.lit(None), type_name(value)
        return CallArg(expr, kind, value)

    def conversion(self, node: ast.CallExpr) -> Typed:
        """`float(v:)`, `int(v:)`... of a row value."""
        from tsengine.stdlib.universe.stream_conversions import CONVERSIONS

        callee = node.callee
        if not isinstance(callee, ast.Identifier) or callee.name not in _CONVERTERS:
            raise NotCompilable("a call")
        builtin = self.interp.registry.universe.get(callee.name)
        if builtin is None or self.fn.scope.lookup(callee.name) is not builtin:
            raise NotCompilable("a call of a shadowed conversion")
        args = node.arguments
        if len(args) != 1 or args[0].key != "v" or args[0].value is None:
            raise NotCompilable("a conversion without exactly v")
        value, kind = self.typed(args[0].value)
        target = callee.name
        if kind is None:
            return pl.lit(None, FLUX_TYPES[target]), target
        convert = CONVERSIONS[target].get(kind)
        if convert is None:
            raise NotCompilable(f"{target}() of a {kind}")
        result, bad = convert(value)
        self.guards.append(bad.fill_null(False))
        if target == "string" and kind == "float":
            self.guards.append(_exotic_float_text(result))
        return result, target

    def interpolation(self, node: ast.StringLit) -> Typed:
        parts = []
        for part in node.parts:
            if isinstance(part, str):
                parts.append(pl.lit(part, pl.String))
                continue
            value, kind = self.typed(part)
            if kind is None:
                raise NotCompilable("interpolating a null")  # an error, raised row by row
            self.guards.append(value.is_null())
            parts.append(self.text(value, kind))
        return pl.concat_str(parts), "string"

    def text(self, value: pl.Expr, kind: str) -> pl.Expr:
        """A value as string interpolation prints it."""
        if kind == "string":
            return value
        if kind in ("int", "uint", "bool"):
            return value.cast(pl.String)
        if kind == "time":
            return value.dt.to_string(_TIME_TEXT)
        if kind == "float":
            text = value.cast(pl.String).str.strip_suffix(".0")
            self.guards.append(_exotic_float_text(text))
            return text
        raise NotCompilable(f"interpolating a {kind}")


# -- expression forms of builtins ----------------------------------------------------------------
_ROW = object()


@dataclass(frozen=True)
class CallArg:
    """An argument of a compiled call: its expression and Flux type, and its Python value
    when it does not depend on the row (a pattern, a unit, a location...)."""

    expr: pl.Expr
    kind: str | None
    value: Any = _ROW

    @property
    def constant(self) -> bool:
        return self.value is not _ROW


# what a form returns: the expression, its Flux type, and guards (true where the expression
# may differ from the builtin, e.g. a null the builtin refuses: those rows go one by one)
CompiledCall = tuple[pl.Expr, str | None, list[pl.Expr]]
ExpressionForm = Callable[[dict[str, CallArg], Interpreter], CompiledCall]
EXPRESSION_FORMS: dict[tuple[str | None, str], ExpressionForm] = {}


def expression_form(name: str, package: str | None = None
                    ) -> Callable[[ExpressionForm], ExpressionForm]:
    """Register the vectorized form of builtin `package.name`, for calls in row functions.

    The form gets the call's arguments (those given; defaults are the form's business) and
    raises NotCompilable for anything it does not cover; its results must equal the builtin's
    row by row.
    """

    def register(form: ExpressionForm) -> ExpressionForm:
        EXPRESSION_FORMS[(package, name)] = form
        return form

    return register


def _as_column(value: pl.Expr) -> pl.Expr:
    """A scalar as a column of the same value: Polars divides by a scalar float through its
    reciprocal (10.0 / 3.0 = 3.333333333333333), not exactly as Go does."""
    if not value.meta.is_scalar():
        return value
    return (pl.int_range(pl.len()) * 0 + 1).cast(pl.Float64) * value


def _exotic_float_text(text: pl.Expr) -> pl.Expr:
    """Where Polars wrote a float as Go would not (an exponent, inf, NaN)."""
    return text.str.contains("[eEnN]").fill_null(False)
