"""`skew(column:)`: the skewness of each table's non-null values, an aggregate.

As upstream's skew.go: int, uint and float columns; the output is the key columns and the
column (float); no values give null, fewer than two NaN. The moments are updated value by value
in row order exactly as upstream's one-pass loop does (a closed form rounds differently in the
last digits), so each table's values go through that loop in Python, as stddev's do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute import pertable
from tsengine.execute.executor import implements
from tsengine.execute.table import TableFrame
from tsengine.flux.functions import CallContext
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import Stream
from tsengine.stdlib.universe.aggregates import Aggregate, _call, run_aggregate, with_empty_tables


@dataclass(eq=False)
class Skew(Aggregate):
    """The skewness of the non-null values; null without values, NaN with one."""

    function: ClassVar[str] = "skew"

    def rows(self, tf: TableFrame) -> pl.DataFrame:
        c = self.column
        values = pl.col(c).drop_nulls().cast(pl.Float64).implode().alias(c)
        rows = pertable.aggregate(tf.frame, tf.key, [values]).with_columns(
            pl.col(c).map_elements(lambda vs: skewness(vs.to_list()), return_dtype=pl.Float64))
        return with_empty_tables(tf, rows, c, pl.Float64(), None)

    def out_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return pl.Float64()


def skewness(values: Sequence[float]) -> float | None:
    """Upstream's one-pass skewness: sqrt(n) * M3 / M2^1.5."""
    n, m1, m2, m3 = 0.0, 0.0, 0.0, 0.0
    for v in values:
        n0 = n
        n += 1
        delta = v - m1
        delta_n = delta / n
        t = delta * delta_n * n0
        m3 += t * delta_n * (n - 2) - 3 * delta_n * m2
        m2 += t
        m1 += delta_n
    if n == 0:
        return None
    if n < 2:
        return math.nan
    try:
        return math.sqrt(n) * m3 / math.pow(m2, 1.5)
    except ZeroDivisionError:  # Go's float division: 0/0 is NaN, x/0 is +-Inf
        return math.nan if m3 == 0 or math.isnan(m3) else math.copysign(math.inf, m3)


@builtin("skew", pipe="tables")
def skew(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
    return _call(ctx, Skew, tables, column)


implements(Skew)(run_aggregate)
