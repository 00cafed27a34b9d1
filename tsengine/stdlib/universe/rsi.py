"""`relativeStrengthIndex(n, columns)`: Wilder's RSI of each listed column of a table.

As upstream: each non-null value v is compared with the last non-null value before it (0 for
the first): up = v - last when it rose, down = last - v when it fell. The averages of ups and
downs are plain means over the first n rows, then `x / n + avg * (1 - 1/n)` (a null row leaves
them). Rows from n on give 100 - 100 / (1 + up/down) (null until a value was seen); a table of
at most n rows gives one row, its last, from the means so far (NaN when they are 0). Listed
columns become float; other columns pass through.
The averages run step by step (recurrence.wilder_scan), so the floats are upstream's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over
from tsengine.execute.table import TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import NUMERIC, emptied, string_array
from tsengine.stdlib.universe.ema import LEN, ROW, short_or_from, with_positions
from tsengine.stdlib.universe.recurrence import ids_of, wilder_scan


@dataclass(eq=False)
class RelativeStrengthIndex(PlanNode):
    """RSI of `columns` over `n` points."""

    input: PlanNode
    n: int
    columns: tuple[str, ...]

    function: ClassVar[str] = "relativeStrengthIndex"


@builtin("relativeStrengthIndex", pipe="tables")
def relative_strength_index(ctx: CallContext, tables: Any, n: Any, columns: Any = None
                            ) -> Stream:
    tables = require_stream("relativeStrengthIndex", tables)
    if not isinstance(n, int) or isinstance(n, bool):
        raise OperatorError(f"relativeStrengthIndex(): n must be an int, found {type_name(n)}")
    if n <= 0:
        raise OperatorError(f"relativeStrengthIndex(): n must be greater than 0, found {n}")
    return Stream(RelativeStrengthIndex(
        tables.node, n, string_array("relativeStrengthIndex", "columns", columns),
        span=ctx.span))


@implements(RelativeStrengthIndex)
def run_relative_strength_index(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                                ) -> TableStream:
    assert isinstance(node, RelativeStrengthIndex)
    frames = []
    for tf in inputs[0].frames:
        columns = [c for c in dict.fromkeys(node.columns) if c in tf.frame.columns]
        for col in columns:
            dtype = tf.frame.schema[col]
            if dtype not in NUMERIC:
                raise ctx.error(node, f"cannot take relative strength index of column {col} "
                                      f"(type {flux_type(dtype)})")
        frame = with_positions(tf)
        for col in columns:
            frame = frame.with_columns(_rsi(frame, col, node.n, tf.key).alias(col))
        out = frame.filter(short_or_from(node.n, node.n + 1)).select(tf.frame.columns)
        source = tf.frame.with_columns(pl.col(c).cast(pl.Float64) for c in columns)
        frames.append(emptied(TableFrame(source, tf.key, tf.empty), out))
    return TableStream(frames)


def _rsi(frame: pl.DataFrame, col: str, n: int, key: tuple[str, ...]) -> pl.Series:
    value = pl.col(col).cast(pl.Float64)
    last = over(value.shift(1).forward_fill(), key).fill_null(0.0)
    rose = (value > last) & ~value.is_nan() & ~last.is_nan()
    fell = (value < last) & ~value.is_nan() & ~last.is_nan()
    moves = frame.select(
        pl.when(value.is_null()).then(None).when(rose).then(value - last).otherwise(0.0)
        .alias("up"),
        pl.when(value.is_null()).then(None).when(fell).then(last - value).otherwise(0.0)
        .alias("down"),
        over(value.is_not_null().cum_sum(), key).alias("seen"))
    ids, rows = ids_of(frame, key), frame.get_column(ROW).to_list()
    up, down = (pl.Series(wilder_scan(ids, rows, moves.get_column(side).to_list(), n),
                          dtype=pl.Float64) for side in ("up", "down"))
    rsi = frame.select(
        pl.when((pl.lit(moves.get_column("seen")) == 0) & (pl.col(LEN) > n)).then(None)
        .otherwise(100.0 - (100.0 / (1.0 + (pl.lit(up) / pl.lit(down)))))).to_series()
    return rsi.alias(col)
