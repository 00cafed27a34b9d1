"""`exponentialMovingAverage(n)` and `tripleExponentialDerivative(n)`; doubleEMA and tripleEMA
are written in Flux over the first, as upstream writes them.

The EMA of a table, as upstream computes it: the mean of the non-null values among the first n
rows seeds it at row n-1 (null if all are null); each later value v gives
`v * k + ema * (1 - k)` with k = 2 / (n + 1); a null row repeats the EMA so far. The first n-1
rows are dropped. A table of fewer than n rows gives one row: the mean of its values with its
last row's columns. `_value` (int, uint or float) becomes float.

tripleExponentialDerivative takes the EMA of the EMA of the EMA (each seeded the same way) and
gives the percent change of that between rows: rows from 3(n-1)+1 on. A shorter table gives one
row, its last, with a null value (one of exactly 3(n-1)+1 rows gives none).

The recurrence runs step by step (recurrence.ema_scan), so the floats are upstream's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import emptied
from tsengine.stdlib.universe.moving_average import numeric_value, require_period
from tsengine.stdlib.universe.recurrence import ema_scan, ids_of

ROW, LEN = "\0row", "\0len"


@dataclass(eq=False)
class ExponentialMovingAverage(PlanNode):
    """EMA of `_value` over `n` points."""

    input: PlanNode
    n: int

    function: ClassVar[str] = "exponentialMovingAverage"


@dataclass(eq=False)
class TripleExponentialDerivative(PlanNode):
    """Percent change of the triple EMA of `_value` over `n` points."""

    input: PlanNode
    n: int

    function: ClassVar[str] = "tripleExponentialDerivative"


@builtin("exponentialMovingAverage", pipe="tables")
def exponential_moving_average(ctx: CallContext, tables: Any, n: Any) -> Stream:
    tables = require_stream("exponentialMovingAverage", tables)
    return Stream(ExponentialMovingAverage(
        tables.node, require_period("exponentialMovingAverage", n), span=ctx.span))


@builtin("tripleExponentialDerivative", pipe="tables")
def triple_exponential_derivative(ctx: CallContext, tables: Any, n: Any) -> Stream:
    tables = require_stream("tripleExponentialDerivative", tables)
    return Stream(TripleExponentialDerivative(
        tables.node, require_period("tripleExponentialDerivative", n), span=ctx.span))


def with_positions(tf: TableFrame) -> pl.DataFrame:
    """The frame with each row's index in its table (ROW) and its table's length (LEN)."""
    return tf.frame.with_columns(row_index(tf.key, ROW), over(pl.len(), tf.key).alias(LEN))


def with_ema(frame: pl.DataFrame, column: str, out: str, n: int, key: Sequence[str],
             first: int = 0) -> pl.DataFrame:
    """Adds `out`: `ema_scan` of `column` over the rows of each table from row `first` on
    (the mean so far above row first+n-1, the EMA from there; null above row `first`)."""
    rows = (frame.get_column(ROW) - first).to_list()
    values = frame.get_column(column).cast(pl.Float64).to_list()
    ema = ema_scan(ids_of(frame, key), rows, values, n, 2 / (n + 1))
    return frame.with_columns(pl.Series(out, ema, dtype=pl.Float64))


def short_or_from(start: int, short: int) -> pl.Expr:
    """Rows from `start` on, or the last row of a table shorter than `short` rows."""
    return (pl.col(ROW) >= start) | ((pl.col(LEN) < short) & (pl.col(ROW) == pl.col(LEN) - 1))


@implements(ExponentialMovingAverage)
def run_exponential_moving_average(ctx: ExecContext, node: PlanNode,
                                   inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, ExponentialMovingAverage)
    n, frames = node.n, []
    for tf in inputs[0].frames:
        numeric_value(ctx, node, tf, "exponential moving average")
        frame = with_positions(tf).with_columns(pl.col("_value").cast(pl.Float64))
        frame = with_ema(frame, "_value", "_value", n, tf.key)
        out = frame.filter(short_or_from(n - 1, n)).select(tf.frame.columns)
        frames.append(_float_value(tf, out))
    return TableStream(frames)


@implements(TripleExponentialDerivative)
def run_triple_exponential_derivative(ctx: ExecContext, node: PlanNode,
                                      inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, TripleExponentialDerivative)
    n, frames = node.n, []
    for tf in inputs[0].frames:
        numeric_value(ctx, node, tf, "exponential moving average")
        frame = with_positions(tf).with_columns(pl.col("_value").cast(pl.Float64))
        frame = with_ema(frame, "_value", "\0e1", n, tf.key)
        frame = with_ema(frame, "\0e1", "\0e2", n, tf.key, first=n - 1)
        frame = with_ema(frame, "\0e2", "\0e3", n, tf.key, first=2 * (n - 1))
        previous = over(pl.col("\0e3").shift(1), tf.key)
        trix = ((pl.col("\0e3") / previous) - 1.0) * 100.0
        start = 3 * (n - 1) + 1
        value = pl.when(pl.col(ROW) >= start).then(trix)
        out = (frame.with_columns(value.alias("_value")).filter(short_or_from(start, start))
               .select(tf.frame.columns))
        frames.append(_float_value(tf, out))
    return TableStream(frames)


def _float_value(tf: TableFrame, out: pl.DataFrame) -> TableFrame:
    """The output frame (a subset of `tf`'s rows, `_value` float), emptied tables listed."""
    source = TableFrame(tf.frame.with_columns(pl.col("_value").cast(pl.Float64)), tf.key,
                        tf.empty)
    return emptied(source, out)


REGISTRY.define_in_flux("""
doubleEMA = (n, tables=<-) =>
    tables
        |> exponentialMovingAverage(n: n)
        |> duplicate(column: "_value", as: "__ema")
        |> exponentialMovingAverage(n: n)
        |> map(fn: (r) => ({r with _value: 2.0 * r.__ema - r._value}))
        |> drop(columns: ["__ema"])

tripleEMA = (n, tables=<-) =>
    tables
        |> exponentialMovingAverage(n: n)
        |> duplicate(column: "_value", as: "__ema1")
        |> exponentialMovingAverage(n: n)
        |> duplicate(column: "_value", as: "__ema2")
        |> exponentialMovingAverage(n: n)
        |> map(fn: (r) => ({r with _value: 3.0 * r.__ema1 - 3.0 * r.__ema2 + r._value}))
        |> drop(columns: ["__ema1", "__ema2"])
""")
