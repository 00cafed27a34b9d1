"""`pivot(rowKey:, columnKey:, valueColumn:)`: turn values of columns into columns.

As upstream pivot.go: the output key is the input key less the columnKey and valueColumn
columns (in table column order), so tables that differed only there merge. Output columns are
the key and rowKey columns in input column order, then one column per distinct columnKey
value combination (labels joined with `_`, a null shown as `null`, a float in Go's %E form, a
time with 9 fraction digits), typed as the value column of the table it first came from, in
order of first appearance. One row per distinct rowKey value, in order of first appearance;
cells without a value are null; a repeated (row, column) keeps the last value. Every other
column is dropped. A table without rows becomes an empty table of the key and rowKey columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import polars as pl

from tsengine.execute import pertable
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import RANK, TableFrame, TableStream, flux_type, ranked
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream
from tsengine.stdlib.universe.sort import string_list

_TIME_TEXT = "%Y-%m-%dT%H:%M:%S%.9fZ"  # Flux's fixed-width time string
_SEQ, _ROW, _LABEL, _TYPE, _ONE = "\0seq", "\0row", "\0label", "\0type", "\0one"


@dataclass(eq=False)
class Pivot(PlanNode):
    """Values of `value_column` spread into one column per `column_key` value combination."""

    function: ClassVar[str] = "pivot"

    input: PlanNode
    row_key: tuple[str, ...]
    column_key: tuple[str, ...]
    value_column: str


@builtin("pivot", pipe="tables")
def pivot(ctx: CallContext, tables: Any, rowKey: Any, columnKey: Any,  # noqa: N803
          valueColumn: Any) -> Stream:  # noqa: N803
    tables = require_stream("pivot", tables)
    rows = string_list("pivot", "rowKey", rowKey)
    columns = string_list("pivot", "columnKey", columnKey)
    both = [c for c in columns if c in rows]
    if both:
        raise OperatorError(f"column name found in both rowKey and colKey: {both[0]}")
    if not isinstance(valueColumn, str):
        raise OperatorError("pivot(): valueColumn must be a string")
    return Stream(Pivot(tables.node, rows, columns, valueColumn, span=ctx.span))


def go_float_e(f: float) -> str:
    """Go's strconv.FormatFloat(f, 'E', -1, 64): shortest digits, `1.5E+00`."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    sign, digits, exponent = Decimal(repr(f)).as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    exp = 0 if text == "0" else int(exponent) + len(digits) - 1
    mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
    return ("-" if sign else "") + f"{mantissa}E{exp:+03d}"


def _text(frame: pl.DataFrame, column: str) -> pl.Expr:
    """A column's values as pivot labels them (`null` for null)."""
    dtype = frame.schema[column]
    col = pl.col(column)
    if dtype == pl.Null:
        return pl.lit("null")
    if dtype == pl.Float64:
        seen = frame[column].drop_nulls().drop_nans().unique()
        texts = [go_float_e(v) for v in seen.to_list()]
        return (pl.when(col.is_null()).then(pl.lit("null"))
                .otherwise(col.replace_strict(seen, texts, default=pl.lit("NaN"),
                                              return_dtype=pl.String)))
    if isinstance(dtype, pl.Datetime):
        return col.dt.strftime(_TIME_TEXT).fill_null("null")
    return col.cast(pl.String).fill_null("null")


def _check(ctx: ExecContext, node: Pivot, tf: TableFrame) -> None:
    present = set(tf.frame.columns)
    for c in node.row_key:
        if c not in present:
            raise ctx.error(node, f"specified row key column does not exist in table: {c}")
    if node.value_column not in present:
        raise ctx.error(node, "specified value column does not exist in table: "
                              f"{node.value_column}")
    for c in node.column_key:
        if c not in present:
            raise ctx.error(node, f"specified column does not exist in table: {c}")


def _long(node: Pivot, tf: TableFrame, base: list[str]) -> pl.DataFrame:
    """The rows as (base columns, label, typed value, type, arrival position)."""
    frame = tf.frame
    kind = flux_type(frame.schema[node.value_column])
    label = pl.concat_str([_text(frame, c) for c in node.column_key], separator="_") \
        if node.column_key else pl.lit("")
    extra = [c for c in node.row_key if c not in base]  # the value column as a row key
    return frame.select(
        *base, *(pl.col(c).alias(f"\0rk:{c}") for c in extra), label.alias(_LABEL),
        pl.col(node.value_column).alias(f"\0v:{kind}"), pl.lit(kind).alias(_TYPE),
        pl.col(RANK), pl.int_range(pl.len(), dtype=pl.Int64).alias(_SEQ),
        pl.lit(0).alias(_ONE))


def _pivoted(ctx: ExecContext, node: Pivot, long: pl.DataFrame, key: tuple[str, ...],
             base: list[str]) -> list[TableFrame]:
    """Long rows of tables with key columns `key` pivoted: one frame per output schema."""
    tables = [*key, _ONE]
    ident = [*key, *(c if c in base else f"\0rk:{c}" for c in node.row_key)]
    long = long.with_columns(pertable.over(pl.col(_SEQ).min(), ident).alias(_ROW))
    labels = (long.group_by([*tables, _LABEL], maintain_order=True)
              .agg(pl.col(_SEQ).min().alias("\0first"), pl.col(_TYPE).first(),
                   pl.col(_TYPE).unique(maintain_order=True).alias("\0types")))
    clash = labels.filter(pl.col(_LABEL).is_in(base))
    if clash.height:
        name = clash[_LABEL][0]
        raise ctx.error(node, f'value "{name}" appears in a column key column, but a column '
                              f'named "{name}" already exists; consider renaming "{name}" to '
                              "something else before pivoting")
    mixed = labels.filter(pl.col("\0types").list.len() > 1)
    if mixed.height:
        types = mixed["\0types"][0].to_list()
        raise ctx.error(node, f'schema collision detected: column "{mixed[_LABEL][0]}" is '
                              f"both of type {types[1]} and {types[0]}")
    signatures = (labels.sort("\0first")
                  .group_by(tables, maintain_order=True)
                  .agg((pl.col(_LABEL) + "\x01" + pl.col(_TYPE)).str.join("\x02").alias("\0sig")))
    long = long.join(signatures, on=tables, how="left", nulls_equal=True, maintain_order="left")
    out = []
    for signature in long["\0sig"].unique(maintain_order=True).to_list():
        part = long.filter(pl.col("\0sig") == signature)
        columns = [tuple(s.split("\x01")) for s in signature.split("\x02")]
        rows = part.filter(pl.col(_SEQ) == pl.col(_ROW)).select([*base, _ROW])
        for kind in dict.fromkeys(t for _, t in columns):
            values = (part.filter(pl.col(_TYPE) == kind)
                      .group_by([_ROW, _LABEL], maintain_order=True)
                      .agg(pl.col(f"\0v:{kind}").last())
                      .pivot(on=_LABEL, index=_ROW, values=f"\0v:{kind}",
                             aggregate_function="first"))
            rows = rows.join(values, on=_ROW, how="left", maintain_order="left")
        out.append(TableFrame(rows.select([*base, *(label for label, _ in columns)]), key))
    return out


@implements(Pivot)
def run_pivot(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Pivot)
    dropped = {*node.column_key, node.value_column}
    orders: dict[frozenset[str], tuple[str, ...]] = {}
    bases: dict[frozenset[str], tuple[str, ...]] = {}
    groups: dict[tuple[tuple[str, ...], tuple[str, ...]], list[pl.DataFrame]] = {}
    frames: list[TableFrame] = []
    for tf in ranked(inputs[0].frames):
        _check(ctx, node, tf)
        columns = [c for c in tf.frame.columns if c not in dropped]
        key = tuple(c for c in columns if c in tf.key)
        key = orders.setdefault(frozenset(key), key)  # keys compare as sets of columns
        base = [c for c in columns if c in tf.key or c in node.row_key]
        # tables whose columns come in another order pivot together all the same
        base = list(bases.setdefault(frozenset(base), tuple(base)))
        if tf.empty:
            at = [tf.key.index(k) for k in key]
            empty = list(dict.fromkeys(tuple(v[i] for i in at) for v in tf.empty))
            frames.append(TableFrame(tf.frame.head(0).select(base), key, empty))
        if tf.frame.height:
            groups.setdefault((key, tuple(base)), []).append(_long(node, tf, base))
    for (key, base), longs in groups.items():
        # arrival order: old tables in table order, each one's rows in order
        long = (pl.concat(longs, how="diagonal_relaxed").sort([RANK, _SEQ])
                .with_columns(pl.int_range(pl.len(), dtype=pl.Int64).alias(_SEQ)).drop(RANK))
        frames = _pivoted(ctx, node, long, key, list(base)) + frames
    return merged_stream(ctx, node, frames)
