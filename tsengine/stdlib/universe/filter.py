"""`filter(fn:, onEmpty:)`: keep the rows for which `fn(r)` is true; schema and keys unchanged.

Tables left without rows (those that had none too) are dropped unless `onEmpty: "keep"`. A
filter directly on a storage read evaluates the conjuncts InfluxDB would push down with
InfluxDB's storage semantics (a missing tag reads as ""), whether or not the planner actually
pushes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, key_values
from tsengine.flux import ast
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.lambdas import NotCompilable, compile_predicate, row_param
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Record, Time, type_name
from tsengine.plan.nodes import From, PlanNode, Range, StorageRead, Stream
from tsengine.plan.predicates import conjuncts, influx_pushable, split_filter, tag_columns
from tsengine.stdlib.common import require_stream

_MASK = "\0keep"


@dataclass(eq=False)
class Filter(PlanNode):
    """Rows for which `fn` is true; `on_storage` when it sits directly on a storage read."""

    function: ClassVar[str] = "filter"

    input: PlanNode
    fn: Closure
    on_empty: str = "drop"
    on_storage: bool = False

    def describe(self) -> str:
        return f"Filter(fn={_source_of(self.fn)}, onEmpty={self.on_empty!r})"


def _source_of(fn: Closure) -> str:
    span = fn.node.span
    return f"<function at {span.line}:{span.col}>"


def reads_storage(node: PlanNode) -> bool:
    """Whether a node is `from |> range`, possibly merged, or behind filters InfluxDB would
    push into its storage whole (so a filter on top is directly on the read there too)."""
    if isinstance(node, StorageRead):
        return True
    if isinstance(node, Range):
        return isinstance(node.input, From)
    if not (isinstance(node, Filter) and node.on_storage and node.on_empty == "drop"):
        return False
    body = node.fn.node.body
    if isinstance(body, ast.Block):
        return False
    param = row_param(node.fn)
    return all(influx_pushable(term, param) for term in conjuncts(body))


@builtin("filter", pipe="tables")
def filter_(ctx: CallContext, tables: Any, fn: Any, onEmpty: str = "drop") -> Stream:  # noqa: N803
    tables = require_stream("filter", tables)
    if not isinstance(fn, Closure):
        raise OperatorError(f"filter(): fn must be a function, found {type_name(fn)}")
    if onEmpty not in ("drop", "keep"):
        raise OperatorError(f'filter(): onEmpty must be "drop" or "keep", found {onEmpty!r}')
    try:
        row_param(fn)
    except NotCompilable:
        raise OperatorError("filter(): fn must take exactly one parameter, the row") from None
    node = tables.node
    on_storage = reads_storage(node) and onEmpty == "drop"
    return Stream(Filter(node, fn, onEmpty, on_storage, span=ctx.span))


@implements(Filter)
def run_filter(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Filter)
    out = []
    for tf in inputs[0].frames:
        mask = _mask(ctx, node, tf)
        frame = tf.frame.filter(mask)
        # upstream runs an empty table through the predicate as an empty chunk: with "drop" it
        # goes like a table the predicate emptied
        empty: list[tuple[object, ...]] = []
        if node.on_empty == "keep":
            empty = list(tf.empty)
            if tf.key:
                empty += sorted(key_values(tf.frame, tf.key) - key_values(frame, tf.key),
                                key=repr)
        if frame.height or empty:
            out.append(TableFrame(frame, tf.key, empty))
    return TableStream(out)


def _mask(ctx: ExecContext, node: Filter, tf: TableFrame) -> pl.Series:
    """Where the predicate is true, computed as one expression when it has one.

    A type error in the expression (say `r._value > 2.5` on a string table that an `and`
    before it excludes) may not be one in Flux, which evaluates row by row and short-circuits;
    such frames are evaluated row by row too, which raises only where Flux would. The mask is
    added with `with_columns`, which broadcasts a constant (`r.nope == "x" or true`) to every
    row; `select` gives one value per chunk then.
    """
    try:
        expr = _predicate(ctx, node, tf.frame.schema)
        return tf.frame.with_columns(expr.alias(_MASK)).get_column(_MASK)
    except (NotCompilable, pl.exceptions.PolarsError):
        return row_by_row(ctx, node, tf)


def _predicate(ctx: ExecContext, node: Filter, schema: Mapping[str, pl.DataType]) -> pl.Expr:
    fn = node.fn
    pushed, rest = split_filter(fn) if node.on_storage else ([], [])
    if not pushed:
        return compile_predicate(fn, ctx.interp, schema)
    param = row_param(fn)
    parts = [compile_predicate(_with_body(fn, term), ctx.interp, schema,
                               tag_columns(term, param)) for term, _ in pushed]
    parts += [compile_predicate(_with_body(fn, term), ctx.interp, schema) for term in rest]
    return pl.all_horizontal(parts)


def _with_body(fn: Closure, body: Any) -> Closure:
    return Closure(replace(fn.node, body=body), fn.scope, fn.name)


def row_by_row(ctx: ExecContext, node: Filter, tf: TableFrame) -> pl.Series:
    """The fallback for functions with no expression form: call the function on each row.

    Conjuncts InfluxDB's storage would evaluate see a missing tag as "" here too.
    """
    param = row_param(node.fn)
    frame = tf.frame.with_columns(pl.col(pl.Datetime).dt.epoch("ns"))
    times = {c for c, t in tf.frame.schema.items() if isinstance(t, pl.Datetime)}
    pushed, _ = split_filter(node.fn) if node.on_storage else ([], [])
    as_empty = {c for term, _ in pushed for c in tag_columns(term, param)}
    keep = []
    for row in frame.iter_rows(named=True):
        values = {k: _time_value(v) if k in times else v for k, v in row.items()}
        values.update({c: "" for c in as_empty if values.get(c) is None})
        result = ctx.interp.call(node.fn, {param: Record(values, row=True)}, node.fn.node)
        if result is not None and not isinstance(result, bool):
            raise ctx.error(node, f"fn must return a bool, returned {type_name(result)}")
        keep.append(result is True)
    return pl.Series("keep", keep, dtype=pl.Boolean)


def _time_value(ns: int | None) -> Any:
    return None if ns is None else Time(ns)
