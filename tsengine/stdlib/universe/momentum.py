"""Momentum indicators over the last n differences of a table's values:
`chandeMomentumOscillator(n, columns)`, `kaufmansER(n)` and `kaufmansAMA(n, column)`.

As upstream: with d_i = v_i - v_(i-1) (d_0 = 0), the sums of the positive and of the negative
differences among d_(i-n+1)..d_i give the CMO 100 * (up - down) / (up + down) at each row i >= n
(the first n rows go; other columns pass through). Listed columns become float; a null reads
as 0 (upstream reads the value under the null). Upstream keeps both sums running (adding the
new difference, subtracting the one leaving): the sums here are taken in that same order, so
the floats are the same. kaufmansER is upstream's `map` of |CMO| / 100 (row by row, hence its
columns sorted by label and empty tables dropped). kaufmansAMA smooths the values with
sc = (ER * (2/3 - 2/31) + 2/31)^2: kama_i = kama_(i-1) + sc_i * (v_i - kama_(i-1)), from
kama_(n-1) = v_(n-1), step by step (recurrence.kama_scan).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index, table_ids
from tsengine.execute.table import TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import NUMERIC, emptied, string_array
from tsengine.stdlib.universe.recurrence import ids_of, kama_scan

ROW = "\0row"
_UP, _DOWN = "\0up", "\0down"
# Go folds the constant expression 2/(2+1) - 2/(30+1) exactly, then rounds once: 56/93
SC_FAST, SC_SLOW = 56 / 93, 2 / 31


@dataclass(eq=False)
class ChandeMomentumOscillator(PlanNode):
    """CMO of `columns` over `n` differences; `efficiency`: kaufmansER's |CMO| / 100."""

    input: PlanNode
    n: int
    columns: tuple[str, ...]
    efficiency: bool = False

    function: ClassVar[str] = "chandeMomentumOscillator"


@dataclass(eq=False)
class KaufmansAMA(PlanNode):
    """Kaufman's adaptive moving average of `column` over `n` points."""

    input: PlanNode
    n: int
    column: str

    function: ClassVar[str] = "kaufmansAMA"


def _int(function: str, n: Any) -> int:
    if not isinstance(n, int) or isinstance(n, bool):
        raise OperatorError(f"{function}(): n must be an int, found {type_name(n)}")
    return n


@builtin("chandeMomentumOscillator", pipe="tables")
def chande_momentum_oscillator(ctx: CallContext, tables: Any, n: Any, columns: Any = None
                               ) -> Stream:
    tables = require_stream("chandeMomentumOscillator", tables)
    n = _int("chandeMomentumOscillator", n)
    if n <= 0:  # upstream indexes out of its arrays
        raise OperatorError(f"chandeMomentumOscillator(): n must be greater than 0, found {n}")
    return Stream(ChandeMomentumOscillator(
        tables.node, n, string_array("chandeMomentumOscillator", "columns", columns),
        span=ctx.span))


@builtin("kaufmansER", pipe="tables")
def kaufmans_er(ctx: CallContext, n: Any, tables: Any) -> Stream:
    tables = require_stream("kaufmansER", tables)
    n = _int("kaufmansER", n)
    if n <= 0:
        raise OperatorError(f"kaufmansER(): n must be greater than 0, found {n}")
    node = ChandeMomentumOscillator(tables.node, n, ("_value",), True, span=ctx.span)
    node.function = "kaufmansER"  # type: ignore[misc]
    return Stream(node)


@builtin("kaufmansAMA", pipe="tables")
def kaufmans_ama(ctx: CallContext, tables: Any, n: Any, column: Any = "_value") -> Stream:
    tables = require_stream("kaufmansAMA", tables)
    if not isinstance(column, str):
        raise OperatorError(f"kaufmansAMA(): column must be a string, found {type_name(column)}")
    return Stream(KaufmansAMA(tables.node, _int("kaufmansAMA", n), column, span=ctx.span))


def _check(ctx: ExecContext, node: PlanNode, tf: TableFrame, columns: tuple[str, ...],
           what: str) -> list[str]:
    present = [c for c in dict.fromkeys(columns) if c in tf.frame.columns]
    for col in present:
        dtype = tf.frame.schema[col]
        if dtype not in NUMERIC:
            raise ctx.error(node, f"cannot take {what} of column {col} (type {flux_type(dtype)})")
    return present


def _differences(col: str, dtype: pl.DataType, key: tuple[str, ...], as_float: bool) -> pl.Expr:
    """v_i - v_(i-1) as float, 0 on a table's first row, nulls read as 0. Upstream subtracts
    ints as ints (uint wrapping) unless `as_float` (kaufmansAMA converts first)."""
    value = pl.col(col).fill_null(0)
    if as_float or dtype == pl.Float64:
        value = value.cast(pl.Float64)
    previous = over(value.shift(1), key).fill_null(value)
    if dtype == pl.UInt64 and not as_float:
        diff = (value.reinterpret(signed=True) - previous.reinterpret(signed=True)) \
            .reinterpret(signed=False)
    else:
        diff = value - previous
    return diff.cast(pl.Float64)


def _positive(x: pl.Expr) -> pl.Expr:
    """x > 0 as Go compares floats (NaN is not)."""
    return (x > 0) & ~x.is_nan()


def with_cmo(frame: pl.DataFrame, col: str, dtype: pl.DataType, n: int, key: tuple[str, ...],
             out: str, as_float: bool = False) -> pl.DataFrame:
    """Adds `out`: the CMO of `col` at each row (meaningful from row n on)."""
    diff = frame.select(_differences(col, dtype, key, as_float).alias("d")).to_series()
    frame = frame.with_columns(diff.alias("\0d"))
    d, leaving = pl.col("\0d"), over(pl.col("\0d").shift(n - 1), key)
    leaving = pl.when(pl.col(ROW) >= n).then(leaving).otherwise(0.0)
    steps = frame.select(
        pl.when(_positive(d)).then(d).otherwise(0.0).alias("up_in"),
        pl.when(_positive(leaving)).then(-leaving).otherwise(0.0).alias("up_out"),
        pl.when((d < 0) & ~d.is_nan()).then(-d).otherwise(0.0).alias("down_in"),
        pl.when(_positive(leaving)).then(0.0).otherwise(leaving).alias("down_out"))
    up, down = _running(frame, key, steps, "up"), _running(frame, key, steps, "down")
    with np.errstate(invalid="ignore", divide="ignore"):  # 0 / 0 is NaN, as in Go
        cmo = (100.0 * (up - down)) / (up + down)
    return frame.with_columns(pl.Series(out, cmo, dtype=pl.Float64)).drop("\0d")


def _running(frame: pl.DataFrame, key: tuple[str, ...], steps: pl.DataFrame, side: str
             ) -> np.ndarray:
    """The running sum of `side` per table after each row's addition, before its
    subtraction: both interleaved in one cumulative sum, in upstream's order."""
    ids, _ = table_ids(frame, key)
    height = frame.height
    terms = np.empty(2 * height)
    terms[0::2] = steps.get_column(f"{side}_in").to_numpy()
    terms[1::2] = steps.get_column(f"{side}_out").to_numpy()
    tables = np.repeat(ids.to_numpy(), 2)
    sums = pl.DataFrame({"t": tables, "x": terms}).select(pl.col("x").cum_sum().over("t"))
    return sums.to_series().to_numpy()[0::2]


@implements(ChandeMomentumOscillator)
def run_chande_momentum_oscillator(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                                   ) -> TableStream:
    assert isinstance(node, ChandeMomentumOscillator)
    frames = []
    for tf in inputs[0].frames:
        columns = _check(ctx, node, tf, node.columns, "chande momentum oscillator")
        frame = tf.frame.with_columns(row_index(tf.key, ROW))
        for col in columns:
            frame = with_cmo(frame, col, tf.frame.schema[col], node.n, tf.key, col)
        out = frame.filter(pl.col(ROW) >= node.n).drop(ROW)
        source = tf.frame.with_columns(pl.col(c).cast(pl.Float64) for c in columns)
        done = emptied(TableFrame(source, tf.key, tf.empty), out)
        if node.efficiency:
            done = _as_mapped(done)
        frames.append(done)
    return TableStream(frames)


def _as_mapped(tf: TableFrame) -> TableFrame:
    """|_value| / 100 as upstream's row-by-row `map` gives it: columns sorted by label, empty
    tables dropped."""
    frame = tf.frame.with_columns(pl.col("_value").abs() / 100.0)
    return TableFrame(frame.select(sorted(frame.columns)), tf.key)


@implements(KaufmansAMA)
def run_kaufmans_ama(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, KaufmansAMA)
    if node.n <= 0:
        raise ctx.error(node, f"cannot take KaufmansAMA with a period of {node.n} "
                              "(must be greater than 0)")
    frames = []
    for tf in inputs[0].frames:
        if not _check(ctx, node, tf, (node.column,), "KAMA"):
            frames.append(emptied(tf, tf.frame.filter(row_index(tf.key) >= node.n)))
            continue
        col, n = node.column, node.n
        frame = tf.frame.with_columns(row_index(tf.key, ROW))
        frame = with_cmo(frame, col, tf.frame.schema[col], n, tf.key, "\0cmo", as_float=True)
        ratio = pl.col("\0cmo").abs() / 100.0
        base = (ratio * SC_FAST) + SC_SLOW
        sc = base * base  # Go's math.Pow(x, 2), to the bit
        value = pl.col(col).fill_null(0).cast(pl.Float64)
        frame = frame.with_columns(sc.alias("\0sc"), value.alias("\0v"))
        kama = kama_scan(ids_of(frame, tf.key), frame.get_column(ROW).to_list(),
                         frame.get_column("\0sc").to_numpy(), frame.get_column("\0v").to_numpy(),
                         n)
        out = (frame.with_columns(pl.Series(col, kama, dtype=pl.Float64))
               .filter(pl.col(ROW) >= n).select(tf.frame.columns))
        source = tf.frame.with_columns(pl.col(col).cast(pl.Float64))
        frames.append(emptied(TableFrame(source, tf.key, tf.empty), out))
    return TableStream(frames)
