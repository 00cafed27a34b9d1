"""Which parts of a filter function InfluxDB's storage evaluates, and as what predicate.

InfluxDB pushes a filter that sits directly on `from |> range` into its storage index, conjunct
by conjunct: comparisons of a tag (or `_measurement`, `_field`) with a string literal by `==`,
`!=`, `=~` or `!~`, and `and`/`or` of such comparisons. There a missing tag reads as "".
`r.tag == ""` is left to Flux. The planner pushes exactly these; the filter itself evaluates
them with the same semantics when pushdown is off, so both ways give InfluxDB's answer.
"""

from __future__ import annotations

from storage import And, Compare, Or, Predicate, Regex
from tsengine.flux import ast
from tsengine.flux.functions import Closure
from tsengine.flux.lambdas import row_param

NOT_TAGS = frozenset({"_time", "_value", "_start", "_stop"})


def conjuncts(node: ast.Expr) -> list[ast.Expr]:
    """The operands of a top-level chain of `and`."""
    if isinstance(node, ast.LogicalExpr) and node.operator == "and":
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def storage_predicate(node: ast.Expr, param: str) -> Predicate | None:
    """The storage predicate of a pushable conjunct, or None if storage does not take it."""
    if isinstance(node, ast.LogicalExpr):
        left = storage_predicate(node.left, param)
        right = storage_predicate(node.right, param)
        if left is None or right is None:
            return None
        return And((left, right)) if node.operator == "and" else Or((left, right))
    if not isinstance(node, ast.BinaryExpr) or node.operator not in ("==", "!=", "=~", "!~"):
        return None
    column = _row_column(node.left, param)
    if column is None or column in NOT_TAGS:
        return None
    if node.operator in ("==", "!="):
        if not isinstance(node.right, ast.StringLit) or not node.right.is_plain:
            return None
        if node.operator == "==" and node.right.text == "":
            return None  # InfluxDB leaves `r.tag == ""` to Flux
        return Compare(column, node.operator, node.right.text)
    if not isinstance(node.right, ast.RegexLit):
        return None
    return Regex(column, node.right.pattern, negate=node.operator == "!~")


def influx_pushable(node: ast.Expr, param: str) -> bool:
    """Whether InfluxDB's storage would take this conjunct: tag comparisons as above, and
    comparisons of `_value` with a literal (which tsengine's storage leaves to Flux)."""
    if storage_predicate(node, param) is not None:
        return True
    if isinstance(node, ast.LogicalExpr):
        return influx_pushable(node.left, param) and influx_pushable(node.right, param)
    return (isinstance(node, ast.BinaryExpr)
            and node.operator in ("==", "!=", "<", "<=", ">", ">=")
            and _row_column(node.left, param) == "_value"
            and isinstance(node.right, ast.IntegerLit | ast.FloatLit | ast.BooleanLit
                           | ast.StringLit))


def split_filter(fn: Closure) -> tuple[list[tuple[ast.Expr, Predicate]], list[ast.Expr]]:
    """A filter function's conjuncts: those storage takes (with their predicate), and the rest.

    A block body is not split: nothing is pushed, and the caller evaluates the whole function.
    """
    if isinstance(fn.node.body, ast.Block):
        return [], []
    param = row_param(fn)
    pushed, rest = [], []
    for term in conjuncts(fn.node.body):
        pred = storage_predicate(term, param)
        if pred is None:
            rest.append(term)
        else:
            pushed.append((term, pred))
    return pushed, rest


def tag_columns(node: ast.Expr, param: str) -> frozenset[str]:
    """The row columns a pushable conjunct compares."""
    if isinstance(node, ast.LogicalExpr):
        return tag_columns(node.left, param) | tag_columns(node.right, param)
    if isinstance(node, ast.BinaryExpr):
        column = _row_column(node.left, param)
        return frozenset({column}) if column else frozenset()
    return frozenset()


def _row_column(node: ast.Expr, param: str) -> str | None:
    if (isinstance(node, ast.MemberExpr) and isinstance(node.object, ast.Identifier)
            and node.object.name == param):
        return node.property
    return None
