"""Predicates a scan pushes down: on `_measurement`, `_field` and tags, combined with and/or/not.

A predicate is evaluated in two stages. For each measurement and field the scan could read,
`bind` substitutes their names and simplifies: what remains is True (read every row), False
(skip the field, never opening its data) or a predicate on tags only, which becomes a Polars
expression. Comparisons with a tag a series lacks are false, as in a Flux filter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import polars as pl

from storage.errors import InvalidArgument
from storage.regex import RegexSyntaxError, check_regex, python_regex, rust_regex

MEASUREMENT = "_measurement"
FIELD = "_field"


class Predicate:
    """Base of predicate nodes."""

    def __and__(self, other: Predicate) -> Predicate:
        return And((self, other))

    def __or__(self, other: Predicate) -> Predicate:
        return Or((self, other))

    def __invert__(self) -> Predicate:
        return Not(self)


@dataclass(frozen=True)
class Const(Predicate):
    """Always true or always false."""

    value: bool


TRUE = Const(True)
FALSE = Const(False)


@dataclass(frozen=True)
class Compare(Predicate):
    """`column == value` or `column != value`."""

    column: str
    op: str
    value: str

    def __post_init__(self) -> None:
        if self.op not in ("==", "!="):
            raise InvalidArgument(f"unsupported comparison {self.op!r}; use == or !=")

    def test(self, actual: str) -> bool:
        return (actual == self.value) == (self.op == "==")


@dataclass(frozen=True)
class In(Predicate):
    """`column` is one of `values` (or, negated, none of them)."""

    column: str
    values: tuple[str, ...]
    negate: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.values, tuple):  # a list would make the predicate unhashable
            object.__setattr__(self, "values", tuple(self.values))

    def test(self, actual: str) -> bool:
        return (actual in self.values) != self.negate


@dataclass(frozen=True)
class Regex(Predicate):
    """`column =~ /pattern/` or `column !~ /pattern/` (unanchored search, like Flux); the
    pattern is RE2's, as InfluxDB's storage reads it (storage.regex translates it)."""

    column: str
    pattern: str
    negate: bool = False

    def __post_init__(self) -> None:
        # checked up front for both engines that evaluate it (Python for names, Polars for
        # tags), so a bad pattern is an InvalidArgument, never an error in the middle of a scan
        try:
            check_regex(self.pattern)
        except RegexSyntaxError as e:
            raise InvalidArgument(f"invalid regular expression /{self.pattern}/: {e}") from None

    def test(self, actual: str) -> bool:
        try:
            found = python_regex(self.pattern).search(actual) is not None
        except RegexSyntaxError:  # what Python's re lacks (\pL): the Polars form has it
            found = bool(pl.Series([actual], dtype=pl.String).str.contains(self.polars)[0])
        return found != self.negate

    @property
    def polars(self) -> str:
        """The pattern in the syntax Polars reads."""
        return rust_regex(self.pattern)


@dataclass(frozen=True)
class And(Predicate):
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Or(Predicate):
    items: tuple[Predicate, ...]


@dataclass(frozen=True)
class Not(Predicate):
    item: Predicate


Leaf = Compare | In | Regex


def eq(column: str, value: str) -> Compare:
    """Shorthand for `Compare(column, "==", value)`."""
    return Compare(column, "==", value)


def bind(pred: Predicate | None, names: dict[str, str]) -> Predicate:
    """Substitute known columns (`_measurement`, `_field`) and simplify to a tag-only predicate."""
    if pred is None:
        return TRUE
    return _simplify(pred, lambda leaf: Const(leaf.test(names[leaf.column]))
                     if leaf.column in names else leaf)


def bind_absent(pred: Predicate, present: set[str], missing: str | None = None) -> Predicate:
    """Simplify comparisons on tags a measurement lacks: false, or, when `missing` is given,
    evaluated as if the tag had that value (InfluxDB's index reads a missing tag as "")."""
    return _simplify(pred, lambda leaf: leaf if leaf.column in present else (
        FALSE if missing is None else Const(leaf.test(missing))))


def _simplify(pred: Predicate, leaf_fn: Callable[[Leaf], Predicate]) -> Predicate:
    if isinstance(pred, Const):
        return pred
    if isinstance(pred, Compare | In | Regex):
        return leaf_fn(pred)
    if isinstance(pred, Not):
        inner = _simplify(pred.item, leaf_fn)
        return Const(not inner.value) if isinstance(inner, Const) else Not(inner)
    is_and = isinstance(pred, And)
    kept: list[Predicate] = []
    for item in pred.items:  # type: ignore[attr-defined]
        s = _simplify(item, leaf_fn)
        if isinstance(s, Const):
            if s.value != is_and:
                return s  # false in an and, true in an or
            continue
        kept.append(s)
    if not kept:
        return Const(is_and)
    if len(kept) == 1:
        return kept[0]
    return And(tuple(kept)) if is_and else Or(tuple(kept))


def columns_of(pred: Predicate | None) -> set[str]:
    """Every column a predicate mentions."""
    if pred is None or isinstance(pred, Const):
        return set()
    if isinstance(pred, Compare | In | Regex):
        return {pred.column}
    if isinstance(pred, Not):
        return columns_of(pred.item)
    return set().union(*(columns_of(p) for p in pred.items))  # type: ignore[attr-defined]


def to_expr(pred: Predicate, column_of: Callable[[str], str | None],
            missing: str | None = None, *, as_filter: bool = False) -> pl.Expr:
    """A tag-only predicate as a Polars expression; `column_of` maps a tag to its column or None.

    A series without the tag fails every comparison, unless `missing` gives the value to
    compare instead (InfluxDB's storage compares a missing tag as "").
    `as_filter`: the expression only filters rows, where null counts as false: a comparison
    is then left bare (null on a missing tag), which lets Parquet statistics skip row groups;
    otherwise the result is never null (its negation keeps exactly the other rows).
    """
    expr = _expr(pred, column_of, missing)
    return expr if as_filter else expr.fill_null(False)


def _expr(pred: Predicate, column_of: Callable[[str], str | None], missing: str | None
          ) -> pl.Expr:
    """As to_expr with null for false, except under a negation (Kleene logic keeps null as
    false through `and` and `or`, not through `not`)."""
    if isinstance(pred, Const):
        return pl.lit(pred.value)
    if isinstance(pred, Not):
        return ~_expr(pred.item, column_of, missing).fill_null(False)
    if isinstance(pred, And | Or):
        exprs = [_expr(p, column_of, missing) for p in pred.items]
        return pl.all_horizontal(exprs) if isinstance(pred, And) else pl.any_horizontal(exprs)
    col = column_of(pred.column)
    if col is None:  # the measurement has no such tag
        return pl.lit(False if missing is None else pred.test(missing))  # type: ignore[union-attr]
    # a null compares as `missing` only where that makes the test pass: otherwise the null's
    # false is the same answer, and a bare comparison lets Parquet statistics skip row groups
    fills = missing is not None and pred.test(missing)  # type: ignore[union-attr]
    c = pl.col(col).fill_null(missing) if fills else pl.col(col)
    if isinstance(pred, Compare):
        return c == pred.value if pred.op == "==" else c != pred.value
    if isinstance(pred, In):
        expr = c.is_in(list(pred.values))
        return ~expr if pred.negate else expr
    expr = c.str.contains(pred.polars)
    return ~expr if pred.negate else expr


def all_of(preds: Sequence[Predicate]) -> Predicate:
    """The conjunction of several predicates (TRUE when there are none)."""
    return And(tuple(preds)) if preds else TRUE
