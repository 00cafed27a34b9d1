"""`movingAverage(n)`: the mean of `_value` over each run of `n` rows of a table.

As upstream: `_value` (int, uint or float) becomes float; output row i holds the mean of the
non-null values among input rows i-n+1..i (null when all are null) with the other columns of
row i, so the first n-1 rows go. A table of fewer than n-1 rows gives one row, the mean of all
its values with its last row's columns; a table of exactly n-1 rows gives no row (upstream's
state has then no row left to flush). `timedMovingAverage` is written in Flux over window/mean.

The sum adds the window's values in upstream's order (its ring buffer's slot order), so the
floats are the same to the last bit.
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
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.difference import NUMERIC, emptied

_ROW, _LEN = "\0row", "\0len"


@dataclass(eq=False)
class MovingAverage(PlanNode):
    """Means of `_value` over the last `n` rows."""

    input: PlanNode
    n: int

    function: ClassVar[str] = "movingAverage"


def require_period(function: str, n: Any, what: str = "moving average") -> int:
    """A positive int `n`, or the call's error (upstream's wording)."""
    if not isinstance(n, int) or isinstance(n, bool):
        raise OperatorError(f"{function}(): n must be an int, found {type_name(n)}")
    if n <= 0:
        raise OperatorError(f"{function}(): cannot take {what} with a period of {n} "
                            "(must be greater than 0)")
    return n


@builtin("movingAverage", pipe="tables")
def moving_average(ctx: CallContext, tables: Any, n: Any) -> Stream:
    tables = require_stream("movingAverage", tables)
    return Stream(MovingAverage(tables.node, require_period("movingAverage", n), span=ctx.span))


def numeric_value(ctx: ExecContext, node: PlanNode, tf: TableFrame, what: str) -> None:
    """`_value` exists and is a number, or the function's error."""
    dtype = tf.frame.schema.get("_value")
    if dtype is None:
        raise ctx.error(node, "cannot find _value column")
    if dtype not in NUMERIC:
        raise ctx.error(node, f"cannot take {what} of column _value (type {flux_type(dtype)})")


@implements(MovingAverage)
def run_moving_average(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                       ) -> TableStream:
    assert isinstance(node, MovingAverage)
    frames = []
    for tf in inputs[0].frames:
        numeric_value(ctx, node, tf, "moving average")
        frame = tf.frame.with_columns(row_index(tf.key, _ROW), over(pl.len(), tf.key).alias(_LEN))
        means = _window_means(frame, node.n, tf.key)
        n = node.n
        keep = (pl.col(_ROW) >= n - 1) | ((pl.col(_LEN) < n - 1)
                                          & (pl.col(_ROW) == pl.col(_LEN) - 1))
        out = (frame.with_columns(means.alias("_value")).filter(keep).drop(_ROW, _LEN))
        frames.append(emptied(TableFrame(tf.frame.with_columns(pl.col("_value").cast(pl.Float64)),
                                         tf.key, tf.empty), out))
    return TableStream(frames)


def _window_means(frame: pl.DataFrame, n: int, key: tuple[str, ...]) -> pl.Series:
    """Each row's mean of the non-null values among its table's last n rows up to it.

    Upstream keeps the window in a ring buffer (row i in slot i mod n) and sums the slots in
    order; the loop below runs over the n slots, each step over every row at once (rows put
    table by table first, so a row's table-mates sit right above it).
    """
    ids, _ = table_ids(frame, key)
    order = np.lexsort((np.arange(frame.height), ids.to_numpy()))
    values = frame.get_column("_value").cast(pl.Float64).gather(order)
    present = values.is_not_null().to_numpy()
    data = values.fill_null(0.0).to_numpy()
    rows = frame.get_column(_ROW).to_numpy()[order]
    at = np.arange(frame.height)
    total = np.zeros(frame.height)
    count = np.zeros(frame.height, dtype=np.int64)
    for slot in range(min(n, int(rows.max(initial=0)) + 1)):
        back = (rows - slot) % n  # how far above this row the row in `slot` is
        inside = back <= rows
        source = np.where(inside, at - back, 0)
        use = inside & present[source]
        total = total + np.where(use, data[source], 0.0)
        count += use
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.empty(frame.height)
        means[order] = total / count
    nulls = np.zeros(frame.height, dtype=bool)
    nulls[order] = count == 0
    return pl.Series("_value", means, dtype=pl.Float64).scatter(np.flatnonzero(nulls), None)


REGISTRY.define_in_flux("""
timedMovingAverage = (every, period, column="_value", tables=<-) =>
    tables
        |> window(every: every, period: period)
        |> mean(column: column)
        |> duplicate(column: "_stop", as: "_time")
        |> window(every: inf)
""")
