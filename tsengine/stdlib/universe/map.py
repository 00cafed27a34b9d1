"""`map(fn:, mergeKey:)`: each row replaced by the record `fn(r)` returns.

The function is compiled to Polars expressions (lambdas.compile_record) and runs over every
table of a frame at once; a construct with no expression form, or rows where the expressions
could differ from Flux (a division by zero, a value a conversion refuses), are evaluated row by
row instead. Upstream's two paths show in the output:

* a function libflux vectorizes (`(r) => ({...})` using members of `r`, literals, arithmetic,
  comparisons, logic, `if` and `float()`) keeps the input's column order, properties that
  `{r with ...}` overrides in place and new ones appended (upstream appends several in Go map
  order, i.e. unspecified; here in source order), with the spec's three-valued logic;
* any other function gives its columns sorted by label, with the row evaluator's logic
  (`null and x` is false).

Key columns still present stay in the key (in output column order); rows whose key values
change move to the table of their new key, merging with tables that have it. A property whose
type is unknown and whose values are null (`r.missing`) is left out. Empty tables are dropped.
`mergeKey` is deprecated and ignored, as upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.errors import FluxRuntimeError
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import (
    FLUX_TYPES,
    RANK,
    TIME_DTYPE,
    TableFrame,
    TableStream,
    flux_type,
    ranked,
)
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.lambdas import (
    CompiledRecord,
    NotCompilable,
    TypeConflict,
    compile_record,
    row_param,
)
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Record, Time, UInt, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.group import merged_in_order

_GUARD = "\0guard"


@dataclass(eq=False)
class Map(PlanNode):
    """Each row replaced by the record `fn` returns for it."""

    input: PlanNode
    fn: Closure
    merge_key: bool = False

    function: ClassVar[str] = "map"

    def describe(self) -> str:
        span = self.fn.node.span
        return f"Map(fn=<function at {span.line}:{span.col}>)"


@builtin("map", pipe="tables")
def map_(ctx: CallContext, tables: Any, fn: Any, mergeKey: Any = False) -> Stream:  # noqa: N803
    tables = require_stream("map", tables)
    if not isinstance(fn, Closure):
        raise OperatorError(f"map(): fn must be a function, found {type_name(fn)}")
    if not isinstance(mergeKey, bool):
        raise OperatorError(f"map(): mergeKey must be a bool, found {type_name(mergeKey)}")
    try:
        row_param(fn)
    except NotCompilable:
        raise OperatorError("map(): fn must take exactly one parameter, the row") from None
    return Stream(Map(tables.node, fn, mergeKey, span=ctx.span))


@implements(Map)
def run_map(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Map)
    sources = [tf for tf in inputs[0].frames if tf.frame.height]  # map drops empty tables
    mapped = []
    for tf in sources:
        out = _mapped(ctx, node, tf.frame)
        mapped.append((out, tuple(c for c in out.columns if c in tf.key)))
    if any(_key_changed(tf, out, key) for tf, (out, key) in zip(sources, mapped, strict=True)):
        ranks = [tf.frame.get_column(RANK) for tf in ranked(sources)]  # tables merge
        mapped = [(out.with_columns(rank), key)
                  for (out, key), rank in zip(mapped, ranks, strict=True)]
    return merged_in_order(ctx, node, [TableFrame(out, key) for out, key in mapped])


def _mapped(ctx: ExecContext, node: Map, frame: pl.DataFrame) -> pl.DataFrame:
    """The output rows of one frame, columns in upstream's order."""
    try:
        compiled = compile_record(node.fn, ctx.interp, frame.schema)
    except TypeConflict as e:
        raise ctx.error(node, str(e)) from None
    except NotCompilable:
        compiled = None
    out = _evaluated(frame, compiled) if compiled is not None and compiled.complete else None
    if out is None:
        out = _row_by_row(ctx, node, frame, compiled)
    out = out.select(c for c, t in out.schema.items() if t != pl.Null)  # unknown type, null
    if compiled is not None and compiled.vectorized:
        return out
    return out.select(sorted(out.columns))


def _evaluated(frame: pl.DataFrame, compiled: CompiledRecord) -> pl.DataFrame | None:
    """The compiled record over the whole frame; None where it may differ from Flux."""
    names = list(compiled.columns)
    exprs = []
    for i, (expr, kind) in enumerate(c for c in compiled.columns.values() if c is not None):
        typed = expr if kind is None else expr.cast(FLUX_TYPES[kind])
        exprs.append(typed.alias(f"\0{i}"))
    guards = [g.alias(f"{_GUARD}{i}") for i, g in enumerate(compiled.guards)]
    try:
        done = frame.with_columns(exprs + guards)
    except pl.exceptions.PolarsError:
        return None  # e.g. a comparison of a string with a number: a Flux error, row by row
    if guards and done.select(pl.any_horizontal(g.meta.output_name() for g in guards).any()
                              ).item():
        return None
    return done.select(pl.col(f"\0{i}").alias(name) for i, name in enumerate(names))


def _row_by_row(ctx: ExecContext, node: Map, frame: pl.DataFrame,
                compiled: CompiledRecord | None) -> pl.DataFrame:
    """The fallback: the interpreter calls the function on each row."""
    param = row_param(node.fn)
    times = {c for c, t in frame.schema.items() if isinstance(t, pl.Datetime)}
    uints = {c for c, t in frame.schema.items() if t == pl.UInt64}
    rows = frame.with_columns(pl.col(list(times)).dt.epoch("ns")).iter_rows(named=True)
    types = {c: flux_type(t) for c, t in frame.schema.items()  # a null cell's type
             if t != pl.Null and (isinstance(t, pl.Datetime) or t in FLUX_TYPES.values())}
    results = []
    for row in rows:
        values = {k: _value(v, k in times, k in uints) for k, v in row.items()}
        record = Record(values, row=True, null_types=types)
        try:
            result = ctx.interp.call(node.fn, {param: record}, node.fn.node)
        except FluxRuntimeError as e:
            raise ctx.error(node, f"failed to evaluate map function: {e.message}") from None
        if not isinstance(result, Record):
            raise ctx.error(node, f"map function must return a record, returned "
                                  f"{type_name(result)}")
        results.append(result)
    kinds = {} if compiled is None else {
        name: c[1] for name, c in compiled.columns.items() if c is not None}
    labels = dict.fromkeys(label for result in results for label in result)
    columns = []
    for label in labels:
        cells = [r.get(label) for r in results]
        kind = kinds.get(label)
        if kind is None and all(v is None for v in cells):
            kind = _null_type(results, label)
        columns.append(_column(ctx, node, label, cells, kind))
    return pl.DataFrame([c for c in columns if c is not None])


def _null_type(results: list[Record], label: str) -> str | None:
    """The type of a property the function returned null only, where the null is typed
    (`debug.null(type: "int")`, a null cell of a typed column): upstream keeps such a column
    and drops one of untyped nulls."""
    return next((t for r in results if (t := r.null_type(label)) is not None), None)


def _value(v: Any, time: bool, uint: bool) -> Any:
    if v is None:
        return None
    return Time(v) if time else UInt(v) if uint else v


def _column(ctx: ExecContext, node: Map, label: str, cells: list[Any], kind: str | None
            ) -> pl.Series | None:
    """One output column from the values the function returned (None: no column)."""
    kinds = {type_name(v) for v in cells if v is not None}
    if len(kinds) > 1:
        raise ctx.error(node, f'map object property "{label}" has values of types '
                              f"{' and '.join(sorted(kinds))}")
    kind = next(iter(kinds), kind)
    if kind is None:
        return None
    if kind not in FLUX_TYPES:
        raise ctx.error(node, f'map object property "{label}" is {kind} type which is not '
                              f"supported in a flux table")
    if kind == "uint":
        return pl.Series(label, [None if v is None else v.value for v in cells], pl.UInt64)
    if kind == "time":
        ns = [None if v is None else v.ns for v in cells]
        return pl.Series(label, ns, pl.Int64).cast(TIME_DTYPE)
    return pl.Series(label, cells, FLUX_TYPES[kind])


def _key_changed(tf: TableFrame, out: pl.DataFrame, key: tuple[str, ...]) -> bool:
    """Whether tables may merge: a key column left the key, or some row's key values changed."""
    if not tf.key:
        return False  # one table in, one table out
    if set(key) != set(tf.key):
        return True
    for col in key:
        before, after = tf.frame.get_column(col), out.get_column(col)
        if before.dtype != after.dtype or not before.equals(after, check_names=False):
            return True
    return False
