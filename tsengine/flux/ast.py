"""Flux syntax tree: frozen dataclasses, each node with the span of source it came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, fields


@dataclass(frozen=True)
class Span:
    """Where a node is: start and end, 1-based lines and columns (end exclusive)."""

    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


@dataclass(frozen=True)
class Node:
    span: Span = field(compare=False, repr=False, kw_only=True)


# -- expressions -------------------------------------------------------------------------
@dataclass(frozen=True)
class Identifier(Node):
    name: str


@dataclass(frozen=True)
class IntegerLit(Node):
    value: int


@dataclass(frozen=True)
class FloatLit(Node):
    value: float


@dataclass(frozen=True)
class BooleanLit(Node):
    value: bool


@dataclass(frozen=True)
class StringLit(Node):
    """A string; `parts` alternates text (str) and interpolated expressions."""

    parts: tuple[str | Expr, ...]

    @property
    def is_plain(self) -> bool:
        return all(isinstance(p, str) for p in self.parts)

    @property
    def text(self) -> str:
        return "".join(p for p in self.parts if isinstance(p, str))


@dataclass(frozen=True)
class RegexLit(Node):
    pattern: str


@dataclass(frozen=True)
class DurationLit(Node):
    """`1h30m`: (magnitude, unit) pairs as written."""

    values: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class DateTimeLit(Node):
    """An RFC3339 time or a date, as UTC nanoseconds."""

    value: int
    text: str


@dataclass(frozen=True)
class ArrayExpr(Node):
    elements: tuple[Expr, ...]


@dataclass(frozen=True)
class DictExpr(Node):
    items: tuple[tuple[Expr, Expr], ...]


@dataclass(frozen=True)
class Property(Node):
    key: str
    value: Expr | None  # None: shorthand `{a}` means `{a: a}`


@dataclass(frozen=True)
class RecordExpr(Node):
    properties: tuple[Property, ...]
    with_: Identifier | None = None


@dataclass(frozen=True)
class Parameter(Node):
    name: str
    default: Expr | None = None
    pipe: bool = False


@dataclass(frozen=True)
class FunctionExpr(Node):
    params: tuple[Parameter, ...]
    body: Expr | Block


@dataclass(frozen=True)
class CallExpr(Node):
    callee: Expr
    arguments: tuple[Property, ...]


@dataclass(frozen=True)
class PipeExpr(Node):
    argument: Expr
    call: CallExpr


@dataclass(frozen=True)
class MemberExpr(Node):
    object: Expr
    property: str


@dataclass(frozen=True)
class IndexExpr(Node):
    object: Expr
    index: Expr


@dataclass(frozen=True)
class UnaryExpr(Node):
    operator: str  # "-", "+", "not", "exists"
    argument: Expr


@dataclass(frozen=True)
class BinaryExpr(Node):
    operator: str
    left: Expr
    right: Expr


@dataclass(frozen=True)
class LogicalExpr(Node):
    operator: str  # "and", "or"
    left: Expr
    right: Expr


@dataclass(frozen=True)
class ConditionalExpr(Node):
    test: Expr
    consequent: Expr
    alternate: Expr


Expr = (Identifier | IntegerLit | FloatLit | BooleanLit | StringLit | RegexLit | DurationLit
        | DateTimeLit | ArrayExpr | DictExpr | RecordExpr | FunctionExpr | CallExpr | PipeExpr
        | MemberExpr | IndexExpr | UnaryExpr | BinaryExpr | LogicalExpr | ConditionalExpr)


# -- statements --------------------------------------------------------------------------
@dataclass(frozen=True)
class VariableAssignment(Node):
    name: str
    init: Expr


@dataclass(frozen=True)
class OptionStatement(Node):
    """`option name = expr` or `option pkg.name = expr`."""

    name: str
    init: Expr
    package: str | None = None


@dataclass(frozen=True)
class ExpressionStatement(Node):
    expression: Expr


@dataclass(frozen=True)
class ReturnStatement(Node):
    argument: Expr


@dataclass(frozen=True)
class BuiltinStatement(Node):
    name: str


@dataclass(frozen=True)
class TestCaseStatement(Node):
    name: str
    body: Block
    extends: str | None = None


Statement = (VariableAssignment | OptionStatement | ExpressionStatement | ReturnStatement
             | BuiltinStatement | TestCaseStatement)


@dataclass(frozen=True)
class Block(Node):
    body: tuple[Statement, ...]


@dataclass(frozen=True)
class ImportDeclaration(Node):
    path: str
    alias: str | None = None


@dataclass(frozen=True)
class File(Node):
    package: str | None
    imports: tuple[ImportDeclaration, ...]
    body: tuple[Statement, ...]


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, depth first, the node itself first: for static analyses that look
    for one kind of node anywhere (the buckets a task reads, say)."""
    yield node
    for f in fields(node):
        value = getattr(node, f.name)
        for item in value if isinstance(value, tuple) else (value,):
            if isinstance(item, tuple):
                for sub in item:
                    if isinstance(sub, Node):
                        yield from walk(sub)
            elif isinstance(item, Node):
                yield from walk(item)
