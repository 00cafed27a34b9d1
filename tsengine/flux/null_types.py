"""The type of a null value, from the expression that gave it.

Upstream's nulls are typed: `debug.null(type: "bool")` is a null bool and `r._null or false` is
a bool however it comes out, because Flux infers every expression's type. A table column built
from records (`array.from`, `map`) takes its type from that. tsengine's nulls are Python None
and it does not infer types, so when a record property evaluates to null the record keeps the
type this module reads off the expression, where the expression shows it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tsengine.errors import FluxRuntimeError
from tsengine.flux import ast
from tsengine.flux.functions import Builtin
from tsengine.flux.values import Record, type_name

if TYPE_CHECKING:
    from tsengine.flux.interpreter import Interpreter, Scope

DEBUG = "internal/debug"
# the universe conversions: whatever their argument, they return their own type
CONVERSIONS = frozenset({"bool", "int", "uint", "float", "string", "time", "duration", "bytes"})
_BOOLEAN_OPERATORS = frozenset({"==", "!=", "<", "<=", ">", ">=", "=~", "!~"})
_LITERAL_TYPES: dict[type, str] = {
    ast.IntegerLit: "int", ast.FloatLit: "float", ast.StringLit: "string",
    ast.BooleanLit: "bool", ast.DurationLit: "duration", ast.DateTimeLit: "time",
    ast.RegexLit: "regexp",
}


def null_type(interp: Interpreter, node: ast.Expr, scope: Scope) -> str | None:
    """The Flux type of `node`, an expression whose value is null; None where it does not show
    without type inference. Reads only names, literals and records (no call runs twice)."""
    if isinstance(node, ast.LogicalExpr):
        return "bool"
    if isinstance(node, ast.UnaryExpr):
        if node.operator in ("not", "exists"):
            return "bool"
        return _operand_type(interp, node.argument, scope)
    if isinstance(node, ast.BinaryExpr):
        if node.operator in _BOOLEAN_OPERATORS:
            return "bool"
        return _arithmetic_type(_operand_type(interp, node.left, scope),
                                _operand_type(interp, node.right, scope))
    if isinstance(node, ast.ConditionalExpr):
        return (_operand_type(interp, node.consequent, scope)
                or _operand_type(interp, node.alternate, scope))
    if isinstance(node, ast.MemberExpr) and _is_name(node.object):
        obj = _peek(interp, node.object, scope)
        return obj.null_type(node.property) if isinstance(obj, Record) else None
    if isinstance(node, ast.CallExpr) and _is_name(node.callee):
        return _call_type(interp, node, scope)
    return None


def _operand_type(interp: Interpreter, node: ast.Expr, scope: Scope) -> str | None:
    """An operand's type: a literal's, a name's value's, or that of a null it gives."""
    literal = _LITERAL_TYPES.get(type(node))
    if literal is not None:
        return literal
    if _is_name(node):
        value = _peek(interp, node, scope)
        if value is not None:
            return type_name(value)
    return null_type(interp, node, scope)


def _arithmetic_type(left: str | None, right: str | None) -> str | None:
    """`left op right`'s type: the operands' own, except for time and duration arithmetic."""
    if {left, right} == {"time", "duration"}:
        return "time"
    if left == right == "time":
        return "duration"
    return left or right


def _call_type(interp: Interpreter, node: ast.CallExpr, scope: Scope) -> str | None:
    fn = _peek(interp, node.callee, scope)
    if not isinstance(fn, Builtin):
        return None
    if fn.package is None and fn.name in CONVERSIONS:
        return fn.name
    if fn.package == DEBUG and fn.name == "null":
        arg = next((a.value for a in node.arguments if a.key == "type"), None)
        if isinstance(arg, ast.StringLit) and arg.is_plain:
            return arg.text
        if arg is not None and _is_name(arg):
            kind = _peek(interp, arg, scope)
            return kind if isinstance(kind, str) else None
    return None


def _peek(interp: Interpreter, node: ast.Expr, scope: Scope) -> Any:
    """A name's value; None where it has none (a branch not taken may name anything)."""
    try:
        return interp.evaluate(node, scope)
    except FluxRuntimeError:
        return None


def _is_name(node: ast.Expr) -> bool:
    """An identifier or a member chain of one: evaluating it again runs nothing."""
    while isinstance(node, ast.MemberExpr):
        node = node.object
    return isinstance(node, ast.Identifier)
