"""`join.tables(left:, right:, on:, as:, method:)` and its shorthands `join.inner`, `join.left`,
`join.right`, `join.full` (method fixed) and `join.time` (on `_time`, method "inner" by default).

Only tables with the same group key are compared. `on` must be `l.a == r.b` comparisons joined
by `and` (upstream's planner refuses anything else); rows match when equal on every pair, a
null matching nothing. Each match gives the output row `as(l, r)`. The outer methods keep
unmatched rows too, the missing side being a default record: the table's group-key values, its
other columns null (a table whose key the other stream lacks takes the columns that stream has
anywhere). Rows come by join-key values, ascending with nulls last, each value's left rows
times its right rows, left-major: the order upstream's sort-merge join gives. Output tables
keep their input's group key (`as` may not change it) and have their columns sorted by label;
empty tables are dropped. `as` compiles to Polars expressions as map's function does, else it
is called row by row.

Upstream writes the shorthands in Flux over `tables`; they are builtins here so that an error
points at the user's call, not into a prelude.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from tsengine.errors import FluxRuntimeError
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, flux_type
from tsengine.flux import ast
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.lambdas import NotCompilable, TypeConflict, compile_record
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Record, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream
from tsengine.stdlib.join.two_records import (
    as_row_function,
    evaluate,
    flux_column,
    python_rows,
)

LEFT, RIGHT = "\0l\0", "\0r\0"
METHODS = ("inner", "left", "right", "full")
Pairs = tuple[tuple[str, str], ...]


@dataclass(eq=False)
class JoinTables(PlanNode):
    """Rows of equal-keyed tables matched on `on` column pairs, output rows built by `as_`."""

    left: PlanNode
    right: PlanNode
    on: Pairs
    as_: Closure
    method: str
    called: str = "join.tables"

    @property  # type: ignore[override]
    def function(self) -> str:  # the function the script called, for errors
        return self.called

    @property
    def inputs(self) -> tuple[PlanNode, ...]:
        return (self.left, self.right)

    def with_inputs(self, inputs: tuple[PlanNode, ...]) -> PlanNode:
        return replace(self, left=inputs[0], right=inputs[1]) if inputs else self

    def describe(self) -> str:
        on = " and ".join(f"l.{a} == r.{b}" for a, b in self.on)
        return f"JoinTables(method={self.method}, on={on})"


@builtin("tables", package="join", pipe="left")
def tables(ctx: CallContext, left: Any, right: Any, on: Any, as_: Any, method: Any) -> Stream:
    return _join(ctx, "join.tables", left, right, _on_pairs("join.tables", on), as_, method)


@builtin("inner", package="join", pipe="left")
def inner(ctx: CallContext, left: Any, right: Any, on: Any, as_: Any) -> Stream:
    return _join(ctx, "join.inner", left, right, _on_pairs("join.inner", on), as_, "inner")


@builtin("left", package="join", pipe="left")
def left_join(ctx: CallContext, left: Any, right: Any, on: Any, as_: Any) -> Stream:
    return _join(ctx, "join.left", left, right, _on_pairs("join.left", on), as_, "left")


@builtin("right", package="join", pipe="left")
def right_join(ctx: CallContext, left: Any, right: Any, on: Any, as_: Any) -> Stream:
    return _join(ctx, "join.right", left, right, _on_pairs("join.right", on), as_, "right")


@builtin("full", package="join", pipe="left")
def full(ctx: CallContext, left: Any, right: Any, on: Any, as_: Any) -> Stream:
    return _join(ctx, "join.full", left, right, _on_pairs("join.full", on), as_, "full")


@builtin("time", package="join", pipe="left")
def time(ctx: CallContext, left: Any, right: Any, as_: Any, method: Any = "inner") -> Stream:
    return _join(ctx, "join.time", left, right, (("_time", "_time"),), as_, method)


def _join(ctx: CallContext, called: str, left: Any, right: Any, on: Pairs, as_: Any,
          method: Any) -> Stream:
    for name, value in (("left", left), ("right", right)):
        if not isinstance(value, Stream):
            raise OperatorError(f"{called}(): argument '{name}' must be a table stream, "
                                f"found {type_name(value)}")
    if method not in METHODS:
        raise OperatorError(f"{called}(): invalid argument for 'method' - must be \"inner\", "
                            f"\"left\", \"right\", or \"full\"")
    _require_l_r(called, "as", as_)
    return Stream(JoinTables(left.node, right.node, on, as_, method, called, span=ctx.span))


def _require_l_r(called: str, name: str, fn: Any) -> Closure:
    if not isinstance(fn, Closure):
        raise OperatorError(f"{called}(): {name} must be a function, found {type_name(fn)}")
    if sorted(p.name for p in fn.node.params if p.default is None) != ["l", "r"]:
        raise OperatorError(f"{called}(): {name} must be a function of two records, "
                            f"(l, r) => ...")
    return fn


# -- the on predicate ---------------------------------------------------------------------------
_ON_ERROR = ("error in join function - some expressions are not yet supported in the `on` "
             "parameter: ")


def _on_pairs(called: str, fn: Any) -> Pairs:
    """The (left column, right column) pairs of an `on` predicate, as upstream's planner reads
    them: a single expression of `l.a == r.b` terms joined by `and`."""
    fn = _require_l_r(called, "on", fn)
    body = fn.node.body
    if isinstance(body, ast.Block):
        if len(body.body) != 1 or not isinstance(body.body[0], ast.ReturnStatement):
            raise OperatorError(_ON_ERROR + "function body should be a single logical "
                                "expression that compares columns from each table")
        body = body.body[0].argument
    pairs: list[tuple[str, str]] = []
    _collect_pairs(body, pairs)
    return tuple(pairs)


def _collect_pairs(node: ast.Expr, pairs: list[tuple[str, str]]) -> None:
    if isinstance(node, ast.LogicalExpr):
        if node.operator != "and":
            raise OperatorError(_ON_ERROR + f"unsupported operator in join predicate: "
                                f"{node.operator}")
        _collect_pairs(node.left, pairs)
        _collect_pairs(node.right, pairs)
        return
    if isinstance(node, ast.Identifier | ast.MemberExpr):
        return  # upstream lets these through (`(l, r) => true` joins every row)
    if not isinstance(node, ast.BinaryExpr):
        raise OperatorError(_ON_ERROR + f"illegal expression type in join predicate: "
                            f"{_node_type(node)}")
    if node.operator != "==":
        raise OperatorError(_ON_ERROR + f"unsupported operator in join predicate: "
                            f"{node.operator}")
    sides = []
    for side, operand in (("left", node.left), ("right", node.right)):
        if not (isinstance(operand, ast.MemberExpr)
                and isinstance(operand.object, ast.Identifier)):
            raise OperatorError(_ON_ERROR + f"{side} side of comparison is not a member "
                                "expression")
        sides.append((operand.object.name, operand.property))
    (a, a_col), (b, b_col) = sides
    if {a, b} != {"l", "r"}:
        raise OperatorError(_ON_ERROR + "binary expression operands must reference `l` or "
                            "`r` only, and may not reference the same object")
    pairs.append((a_col, b_col) if a == "l" else (b_col, a_col))


def _node_type(node: ast.Node) -> str:
    """Upstream's name for a kind of expression (CallExpression, IntegerLiteral...)."""
    name = type(node).__name__
    return name.replace("Expr", "Expression").replace("Lit", "Literal")


# -- execution ----------------------------------------------------------------------------------
@implements(JoinTables)
def run_join_tables(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, JoinTables)
    left = _by_key_columns(ctx, node, inputs[0], [a for a, _ in node.on], "left")
    right = _by_key_columns(ctx, node, inputs[1], [b for _, b in node.on], "right")
    left_schema, right_schema = _union_schema(left.values()), _union_schema(right.values())
    frames = []
    for keyset in dict.fromkeys([*left, *right]):
        lt, rt = left.get(keyset), right.get(keyset)
        if (lt is None and node.method in ("inner", "left")) or (
                rt is None and node.method in ("inner", "right")):
            continue
        key = (lt or rt).key  # type: ignore[union-attr]
        lf = lt.frame if lt is not None else _missing_side(left_schema, rt, key)
        rf = rt.frame if rt is not None else _missing_side(right_schema, lt, key)
        out = _joined(ctx, node, key, lf, rf)
        if out.height:
            frames.append(TableFrame(out, key))
    return merged_stream(ctx, node, frames)


def _by_key_columns(ctx: ExecContext, node: JoinTables, stream: TableStream, on: list[str],
                    side: str) -> dict[frozenset[str], TableFrame]:
    """A side's tables with rows, one frame per set of group-key columns (tables are compared
    by key, and keys with the same columns may match)."""
    out: dict[frozenset[str], TableFrame] = {}
    for tf in stream.frames:
        if not tf.frame.height:
            continue
        missing = next((c for c in on if c not in tf.frame.columns), None)
        if missing is not None:
            raise ctx.error(node, f"cannot set join columns in {side} table stream: table is "
                                  f"missing column '{missing}'")
        keyset = frozenset(tf.key)
        if keyset in out:
            other = out[keyset]
            _check_types(ctx, node, other.frame.schema, tf.frame.schema)
            frame = pl.concat([other.frame, tf.frame], how="diagonal")
            out[keyset] = TableFrame(frame, other.key)
        else:
            out[keyset] = tf
    return out


def _check_types(ctx: ExecContext, node: JoinTables, a: pl.Schema, b: pl.Schema) -> None:
    for col in set(a) & set(b):
        if a[col] != b[col] and pl.Null not in (a[col], b[col]):
            raise ctx.error(node, f'schema collision detected: column "{col}" is both of type '
                                  f"{flux_type(a[col])} and {flux_type(b[col])}")


def _union_schema(frames: Any) -> dict[str, pl.DataType]:
    """Every column a side has anywhere (the first type seen): a default record's columns
    where the side has no table of some key."""
    schema: dict[str, pl.DataType] = {}
    for tf in frames:
        for col, dtype in tf.frame.schema.items():
            schema.setdefault(col, dtype)
    return schema


def _missing_side(schema: dict[str, pl.DataType], other: TableFrame | None,
                  key: tuple[str, ...]) -> pl.DataFrame:
    """No rows, for the side that has no table of this key: its default records hold the key's
    values, so it has the key columns even where the side's tables do not (another key)."""
    assert other is not None
    return pl.DataFrame(schema={**schema, **{k: other.frame.schema[k] for k in key
                                             if k not in schema}})


def _joined(ctx: ExecContext, node: JoinTables, key: tuple[str, ...], lf: pl.DataFrame,
            rf: pl.DataFrame) -> pl.DataFrame:
    """The output rows of the tables of one set of key columns, columns sorted by label."""
    _check_labels(ctx, node, "l", lf.columns)
    _check_labels(ctx, node, "r", rf.columns)
    pairs, keys = _fill_default_keys(_matched(node, key, lf, rf), key)
    out = _as_records(ctx, node, pairs, lf.columns, rf.columns)
    _check_key(ctx, node, out, keys)
    out = out.select(c for c, t in out.schema.items() if t != pl.Null)
    return out.select(sorted(out.columns))


def _matched(node: JoinTables, key: tuple[str, ...], lf: pl.DataFrame, rf: pl.DataFrame
             ) -> pl.DataFrame:
    """Every (left row, right row) pair the method keeps, in output order: the left row's
    columns prefixed LEFT, the right's RIGHT, all null on a missing side."""
    lp = lf.select(pl.col(c).alias(LEFT + c) for c in lf.columns).with_row_index("\0li")
    rp = rf.select(pl.col(c).alias(RIGHT + c) for c in rf.columns).with_row_index("\0ri")
    lp, rp = _table_ids(key, lp, rp)
    for i, (a, b) in enumerate(node.on):
        ltype = lp.schema[LEFT + a]
        lp = lp.with_columns(pl.col(LEFT + a).alias(f"\0lk{i}"))
        same = rp.schema[RIGHT + b] == ltype  # values of two types never compare equal
        rp = rp.with_columns((pl.col(RIGHT + b) if same else pl.lit(None, ltype))
                             .alias(f"\0rk{i}"))
    n = len(node.on)
    joined = lp.join(rp, left_on=["\0lt", *(f"\0lk{i}" for i in range(n))],
                     right_on=["\0rt", *(f"\0rk{i}" for i in range(n))],
                     how=node.method, nulls_equal=False, coalesce=False)  # type: ignore[arg-type]
    order = [pl.coalesce("\0lt", "\0rt"),
             *(pl.coalesce(f"\0lk{i}", f"\0rk{i}") for i in range(n)), "\0li", "\0ri"]
    return joined.sort(order, nulls_last=True, maintain_order=True)


def _table_ids(key: tuple[str, ...], lp: pl.DataFrame, rp: pl.DataFrame
               ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Both sides with a number per group-key value (`\\0lt`, `\\0rt`), equal for equal keys
    (nulls equal, as group keys compare)."""
    if not key:
        return (lp.with_columns(pl.lit(0, pl.UInt32).alias("\0lt")),
                rp.with_columns(pl.lit(0, pl.UInt32).alias("\0rt")))
    lkeys = lp.select(pl.col(LEFT + k).alias(k) for k in key)
    rkeys = rp.select(pl.col(RIGHT + k).alias(k) for k in key)
    if lkeys.schema == rkeys.schema:
        ids = pl.concat([lkeys, rkeys]).unique(maintain_order=True).with_row_index("\0t")
        lids = rids = ids
    else:  # a key column of two types: no table matches
        lids = lkeys.unique(maintain_order=True).with_row_index("\0t")
        rids = rkeys.unique(maintain_order=True).with_row_index("\0t", offset=lids.height)
    lp = lp.join(lids, left_on=[LEFT + k for k in key], right_on=list(key), how="left",
                 nulls_equal=True, maintain_order="left").rename({"\0t": "\0lt"})
    rp = rp.join(rids, left_on=[RIGHT + k for k in key], right_on=list(key), how="left",
                 nulls_equal=True, maintain_order="left").rename({"\0t": "\0rt"})
    return lp, rp


def _fill_default_keys(pairs: pl.DataFrame, key: tuple[str, ...]
                       ) -> tuple[pl.DataFrame, dict[str, pl.Series]]:
    """The pairs with the key columns of a missing side filled (a default record holds the
    group key), and each row's group-key values by column."""
    keys, fills = {}, []
    for k in key:
        sides = [c for c in (LEFT + k, RIGHT + k) if c in pairs.columns]
        if len(sides) == 2 and pairs.schema[sides[0]] != pairs.schema[sides[1]]:
            sides = sides[:1]
        value = pl.coalesce(sides) if len(sides) > 1 else pl.col(sides[0]) if sides else None
        if value is None:
            continue
        fills += [value.alias(c) for c in sides]
        keys[k] = sides[0]
    filled = pairs.with_columns(fills) if fills else pairs
    return filled, {k: filled.get_column(c).alias(k) for k, c in keys.items()}


def _check_labels(ctx: ExecContext, node: JoinTables, param: str, columns: list[str]) -> None:
    """Upstream types `as` against the tables: a property of l or r the table lacks is an
    error."""
    body = node.as_.node.body
    for sub in ast.walk(body):
        if (isinstance(sub, ast.MemberExpr) and isinstance(sub.object, ast.Identifier)
                and sub.object.name == param and sub.property not in columns):
            side = "left" if param == "l" else "right"
            raise ctx.error(node, f"error preparing {side} side of join: table is missing "
                                  f"label {sub.property}")


def _as_records(ctx: ExecContext, node: JoinTables, pairs: pl.DataFrame, lcols: list[str],
                rcols: list[str]) -> pl.DataFrame:
    """`as(l, r)` of every pair: compiled to expressions, or called row by row."""
    compiled = None
    try:
        fn = as_row_function(node.as_, {"l": LEFT, "r": RIGHT}, {"l": lcols, "r": rcols})
        compiled = compile_record(fn, ctx.interp, pairs.schema)
    except TypeConflict as e:
        raise ctx.error(node, str(e)) from None
    except NotCompilable:
        pass
    out = evaluate(pairs, compiled) if compiled is not None else None
    if out is not None:
        return out
    kinds = {} if compiled is None else {
        name: c[1] for name, c in compiled.columns.items() if c is not None}
    return _row_by_row(ctx, node, pairs, lcols, rcols, kinds)


def _row_by_row(ctx: ExecContext, node: JoinTables, pairs: pl.DataFrame, lcols: list[str],
                rcols: list[str], kinds: dict[str, str | None]) -> pl.DataFrame:
    lrows = python_rows(pairs.select(pl.col(LEFT + c).alias(c) for c in lcols))
    rrows = python_rows(pairs.select(pl.col(RIGHT + c).alias(c) for c in rcols))
    results = []
    for lrow, rrow in zip(lrows, rrows, strict=True):
        try:
            result = ctx.interp.call(node.as_, {"l": Record(lrow, row=True),
                                                "r": Record(rrow, row=True)}, node.as_.node)
        except FluxRuntimeError as e:
            raise ctx.error(node, e.message) from None
        if not isinstance(result, Record):
            raise ctx.error(node, f"as must return a record, returned {type_name(result)}")
        results.append(result)
    columns = []
    for label in dict.fromkeys(label for result in results for label in result):
        column = flux_column(label, [r.get(label) for r in results], kinds.get(label))
        if isinstance(column, str):
            raise ctx.error(node, column)
        if column is not None:
            columns.append(column)
    return pl.DataFrame(columns, height=len(results))


def _check_key(ctx: ExecContext, node: JoinTables, out: pl.DataFrame,
               keys: dict[str, pl.Series]) -> None:
    """`as` may not change the group key: every key column present with the key's value."""
    for k, value in keys.items():
        column = out.get_column(k) if k in out.columns else None
        if column is None or column.dtype != value.dtype or not (
                column == value).fill_null(False).all():
            raise ctx.error(node, f"join cannot modify group key: output record has a missing "
                                  f"or invalid value for column '{k}:{flux_type(value.dtype)}'")
