"""Aggregates `count sum mean stddev spread (column:)`: one row per table.

The row holds the group-key columns (key order) and the aggregated column under its own label;
every other column is dropped. A table without rows still gives its row (count 0, the others
null). As upstream's SimpleAggregate: a missing column, a key column or a type the function
cannot take is an error.

InfluxDB pushes a `count`, `sum` or `mean` of `_value` directly on a storage read, or on a
`window()` storage can compute directly on one, into its storage (PushDownBareAggregateRule,
PushDownWindowAggregateRule), which lays the row out as `_start, _stop, _value, <other key
columns>`; the node remembers (at call time) whether it sits there, so the layout does not
depend on our planner. (first/last/min/max are pushed too, but storage keeps their rows in the
read's layout, which is the plain one.)

Sums add the values one after another in row order, as upstream's loops do: Polars' grouped
sum adds in another order, which can change the last digit of a float.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute import pertable
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Time
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.filter import reads_storage
from tsengine.stdlib.universe.window import Window, pushable

NUMERIC = ("int", "uint", "float")
# InfluxDB storage's names for field types, in its "unsupported input type" errors
STORAGE_TYPE_NAMES = {"int": "integer", "uint": "unsigned", "float": "float",
                      "string": "string", "bool": "boolean"}


@dataclass(eq=False)
class Aggregate(PlanNode):
    """An aggregate of `column` per table; `on_storage` when InfluxDB would push it down."""

    input: PlanNode
    column: str = "_value"
    on_storage: bool = False

    accepts: ClassVar[tuple[str, ...]] = NUMERIC  # Flux column types the function takes

    def expr(self, dtype: pl.DataType) -> pl.Expr:
        """The aggregate of a table's column, within a group_by."""
        raise NotImplementedError

    def rows(self, tf: TableFrame) -> pl.DataFrame:
        """One row per table of the frame: its key values and the aggregate."""
        dtype = tf.frame.schema[self.column]
        return one_row_per_table(tf, self.column, self.expr(dtype), self.out_dtype(dtype),
                                 self.empty_value())

    def out_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return dtype

    def empty_value(self) -> object:
        """The value for a table without rows (no values: null)."""
        return None


@dataclass(eq=False)
class Count(Aggregate):
    """The number of rows, nulls included."""

    function: ClassVar[str] = "count"
    accepts: ClassVar[tuple[str, ...]] = ("bool", "int", "uint", "float", "string")

    def expr(self, dtype: pl.DataType) -> pl.Expr:
        return pl.len().cast(pl.Int64)

    def out_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return pl.Int64()

    def empty_value(self) -> object:
        return 0


@dataclass(eq=False)
class Sum(Aggregate):
    """The sum of the non-null values, of the column's type; null when there are none."""

    function: ClassVar[str] = "sum"

    def expr(self, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(self.column)
        return pl.when(col.count() > 0).then(sequential_sum(col, dtype))


@dataclass(eq=False)
class Mean(Aggregate):
    """The mean of the non-null values as a float.

    Integers are summed exactly, then divided, as upstream does.
    """

    function: ClassVar[str] = "mean"

    def expr(self, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(self.column)
        total = sequential_sum(col, dtype).cast(pl.Float64)
        return pl.when(col.count() > 0).then(total / col.count())

    def out_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return pl.Float64()


def sequential_sum(value: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    """The sum of the non-null values added one after another in row order, from zero, as
    upstream's loops add them (a running sum starts from +0, as Go's: the sum of -0.0 is 0)."""
    return value.fill_null(pl.lit(0, dtype)).cum_sum().last()


@dataclass(eq=False)
class Stddev(Aggregate):
    """The standard deviation of the non-null values; a sample of one value gives NaN."""

    function: ClassVar[str] = "stddev"
    mode: str = "sample"

    def rows(self, tf: TableFrame) -> pl.DataFrame:
        # Polars' std rounds differently from upstream's Welford pass (last digits differ
        # for about a third of inputs), so each table's values go through that pass in Python
        c, ddof = self.column, 1 if self.mode == "sample" else 0
        values = pl.col(c).drop_nulls().cast(pl.Float64).implode().alias(c)
        rows = pertable.aggregate(tf.frame, tf.key, [values]).with_columns(
            pl.col(c).map_elements(lambda vs: welford_stddev(vs.to_list(), ddof),
                                   return_dtype=pl.Float64))
        return with_empty_tables(tf, rows, c, pl.Float64(), None)

    def out_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return pl.Float64()


def welford_stddev(values: Sequence[float], ddof: int) -> float | None:
    """Upstream's one-pass standard deviation: null without values, NaN for n - ddof < 1."""
    n, mean, m2 = 0, 0.0, 0.0
    for v in values:
        n += 1
        delta = v - mean
        mean += delta / n
        m2 += delta * (v - mean)
    if n == 0:
        return None
    return math.sqrt(m2 / (n - ddof)) if n - ddof >= 1 else math.nan


@dataclass(eq=False)
class Spread(Aggregate):
    """Maximum minus minimum of the non-null values, of the column's type."""

    function: ClassVar[str] = "spread"

    def expr(self, dtype: pl.DataType) -> pl.Expr:
        col = pl.col(self.column)
        return col.max() - col.min()


def _call(ctx: CallContext, cls: type[Aggregate], tables: Any, column: Any, **extra: Any
          ) -> Stream:
    """The node of an aggregate call, arguments checked."""
    name = cls.function
    tables = require_stream(name, tables)
    if not isinstance(column, str):
        raise OperatorError(f"{name}(): column must be a string")
    on_storage = cls in PUSHED and column == "_value" and storage_computes(tables.node)
    return Stream(cls(tables.node, column, on_storage, **extra, span=ctx.span))


def storage_computes(node: PlanNode) -> bool:
    """Whether InfluxDB's storage computes an aggregate of this input: a storage read, or a
    window of one whose windows storage can make (its isPushableWindow: every == period,
    nothing negative, UTC, the default time and bound columns; createEmpty either way)."""
    if isinstance(node, Window):
        columns = (node.time_column, node.start_column, node.stop_column)
        return pushable(node.spec) and columns == ("_time", "_start", "_stop") \
            and reads_storage(node.input)
    return reads_storage(node)


def _builtin(cls: type[Aggregate]) -> None:
    """Register `fn(tables=<-, column="_value")` for an aggregate node type."""

    def call(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
        return _call(ctx, cls, tables, column)

    builtin(cls.function, pipe="tables")(call)


PUSHED = (Count, Sum, Mean)  # the aggregates InfluxDB's storage computes for a bare call
for _cls in (Count, Sum, Mean, Spread):
    _builtin(_cls)


@builtin("stddev", pipe="tables")
def stddev(ctx: CallContext, tables: Any, column: Any = "_value", mode: Any = "sample") -> Stream:
    if mode not in ("sample", "population"):
        raise OperatorError(f'stddev(): "{mode}" is not a valid standard deviation mode')
    return _call(ctx, Stddev, tables, column, mode=mode)


def check_column(ctx: ExecContext, node: PlanNode, tf: TableFrame, column: str) -> str:
    """The Flux type of the column to aggregate, or upstream's error for it."""
    if column not in tf.frame.columns:
        raise ctx.error(node, f'column "{column}" does not exist')
    if column in tf.key:
        raise ctx.error(node, "cannot aggregate columns that are part of the group key")
    return flux_type(tf.frame.schema[column])


def type_error(ctx: ExecContext, node: Aggregate, kind: str) -> Exception:
    """The error for a column type the function cannot take (storage words it its own way)."""
    if node.on_storage and kind in STORAGE_TYPE_NAMES:
        return ctx.error(node, f"unsupported input type for {node.function} aggregate: "
                               f"{STORAGE_TYPE_NAMES[kind]}")
    return ctx.error(node, f"unsupported aggregate column type {kind}")


def key_rows(tf: TableFrame, keys: Sequence[tuple[object, ...]], more: Sequence[pl.Series] = ()
             ) -> pl.DataFrame:
    """A frame of the key columns holding the given key values, one row each, then `more`."""
    columns = []
    for i, k in enumerate(tf.key):
        dtype = tf.frame.schema[k]
        values = [v[i] for v in keys]
        if isinstance(dtype, pl.Datetime):
            ns = [v.ns if isinstance(v, Time) else v for v in values]
            columns.append(pl.Series(k, ns, pl.Int64).cast(dtype))
        else:
            columns.append(pl.Series(k, values, dtype))
    return pl.DataFrame([*columns, *more])


def one_row_per_table(tf: TableFrame, column: str, agg: pl.Expr, dtype: pl.DataType,
                      empty: object) -> pl.DataFrame:
    """Key columns and `column` = `agg` for tables with rows, `empty` for those without."""
    rows = pertable.aggregate(tf.frame, tf.key, [agg.cast(dtype).alias(column)])
    return with_empty_tables(tf, rows, column, dtype, empty)


def with_empty_tables(tf: TableFrame, rows: pl.DataFrame, column: str, dtype: pl.DataType,
                      empty: object) -> pl.DataFrame:
    """Aggregated `rows` and a row for each table without rows, its `column` = `empty`."""
    if not tf.empty:
        return rows
    fill = key_rows(tf, tf.empty, [pl.Series(column, [empty] * len(tf.empty), dtype)])
    return pl.concat([rows, fill], how="vertical")


def layout(node: Aggregate, frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """The output column order: key then value, or storage's `_start, _stop, _value, ...`."""
    column = node.column
    if node.on_storage and "_start" in key and "_stop" in key:
        rest = [k for k in key if k not in ("_start", "_stop")]
        return frame.select(["_start", "_stop", column, *rest])
    return frame.select([*key, column])


def run_aggregate(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Aggregate)
    out = []
    for tf in inputs[0].frames:
        kind = check_column(ctx, node, tf, node.column)
        if kind not in node.accepts:
            raise type_error(ctx, node, kind)
        out.append(TableFrame(layout(node, node.rows(tf), tf.key), tf.key))
    return TableStream(out)


for _cls in (Count, Sum, Mean, Stddev, Spread):
    implements(_cls)(run_aggregate)
