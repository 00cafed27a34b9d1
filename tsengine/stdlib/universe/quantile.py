"""`quantile(q:, method:, compression:, column:)` and `median` (quantile with q 0.5).

Methods, as upstream:
* `estimate_tdigest` (default, compression 1000): an aggregate of int/uint/float values
  through influxdata/tdigest; its estimate is not exact_mean's (see `TDigest`).
* `exact_mean`: an aggregate of float values; sorted values, linear interpolation at q*(n-1).
* `exact_selector`: a selector of any type; the row at index ceil(q*n)-1 of the non-null
  values stably sorted; a table with no value gives one row of key values and nulls.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, ClassVar

import polars as pl

from tsengine.execute import pertable
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.aggregates import (
    Aggregate,
    key_rows,
    one_row_per_table,
    run_aggregate,
    with_empty_tables,
)
from tsengine.stdlib.universe.selectors import still_empty, zero_filled

METHODS = ("estimate_tdigest", "exact_mean", "exact_selector")


@dataclass(eq=False)
class Quantile(Aggregate):
    """The q-quantile of each table's values, estimated (t-digest) or exact (mean)."""

    function: ClassVar[str] = "quantile"
    q: float = 0.5
    method: str = "estimate_tdigest"
    compression: float = 1000.0

    @property
    def accepts(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("float",) if self.method == "exact_mean" else ("int", "uint", "float")

    def expr(self, dtype: pl.DataType) -> pl.Expr:
        values = pl.col(self.column).drop_nulls().cast(pl.Float64)
        return _exact_mean(values.sort(), self.q)

    def rows(self, tf: TableFrame) -> pl.DataFrame:
        """One row per table: the key and the estimate, or the exact mean."""
        if self.method == "exact_mean":
            return one_row_per_table(tf, self.column, self.expr(pl.Float64()), pl.Float64(),
                                     None)
        # no expression form: each table's values go through the t-digest in Python
        c, q, compression = self.column, self.q, self.compression
        values = pl.col(c).drop_nulls().cast(pl.Float64).implode().alias(c)
        rows = pertable.aggregate(tf.frame, tf.key, [values]).with_columns(
            pl.col(c).map_elements(
                lambda vs: tdigest_quantile(vs.to_list(), q, compression) if len(vs) else None,
                return_dtype=pl.Float64))
        return with_empty_tables(tf, rows, c, pl.Float64(), None)

    def out_dtype(self, dtype: pl.DataType) -> pl.DataType:
        return pl.Float64()


@dataclass(eq=False)
class QuantileSelector(PlanNode):
    """The row at the q-quantile of each table's values (method exact_selector)."""

    function: ClassVar[str] = "quantile"
    input: PlanNode
    column: str = "_value"
    q: float = 0.5


def _exact_mean(sorted_values: pl.Expr, q: float) -> pl.Expr:
    """Linear interpolation between the sorted values around position q*(n-1)."""
    x = pl.lit(q) * (sorted_values.len() - 1).cast(pl.Float64)
    x0, x1 = x.floor(), x.ceil()
    y0 = sorted_values.get(x0.cast(pl.Int64), null_on_oob=True)
    y1 = sorted_values.get(x1.cast(pl.Int64), null_on_oob=True)
    return (pl.when(sorted_values.len() == 0).then(None)
            .when(x0 == x1).then(y0)
            .otherwise(y0 * (x1 - x) + y1 * (x - x0)))


@builtin("quantile", pipe="tables")
def quantile(ctx: CallContext, tables: Any, q: Any, column: Any = "_value",
             compression: Any = 0.0, method: Any = "estimate_tdigest") -> Stream:
    tables = require_stream("quantile", tables)
    if not isinstance(q, float):
        raise OperatorError(f"quantile(): q must be a float, found {type_name(q)}")
    if not 0 <= q <= 1:
        raise OperatorError("quantile(): quantile must be between 0 and 1")
    if not isinstance(method, str) or not isinstance(column, str):
        raise OperatorError("quantile(): method and column must be strings")
    if not isinstance(compression, float):
        raise OperatorError(f"quantile(): compression must be a float, "
                            f"found {type_name(compression)}")
    if compression > 0 and method != "estimate_tdigest":
        raise OperatorError("quantile(): compression parameter is only valid for method "
                            "estimate_tdigest")
    if method not in METHODS:
        raise OperatorError(f"quantile(): unknown method {method}")
    if method == "exact_selector":
        return Stream(QuantileSelector(tables.node, column, q, span=ctx.span))
    compression = compression if compression > 0 else 1000.0
    return Stream(Quantile(tables.node, column, False, q, method, compression, span=ctx.span))


REGISTRY.define_in_flux(
    'median = (method="estimate_tdigest", compression=0.0, column="_value", tables=<-) =>\n'
    "    tables |> quantile(q: 0.5, method: method, compression: compression, column: column)\n")


implements(Quantile)(run_aggregate)


@implements(QuantileSelector)
def run_quantile_selector(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                          ) -> TableStream:
    assert isinstance(node, QuantileSelector)
    out = []
    col = pl.col(node.column)
    for tf in inputs[0].frames:
        if node.column not in tf.frame.columns:
            raise ctx.error(node, f'no column "{node.column}" exists')
        valid = tf.frame.filter(col.is_not_null())
        # stable order by value: rank "ordinal" breaks ties by position
        rank = pertable.over(col.rank("ordinal"), tf.key)
        n = pertable.over(pl.len(), tf.key).cast(pl.Float64)
        index = (pl.lit(node.q) * n).ceil().cast(pl.Int64).clip(lower_bound=1)
        chosen = zero_filled(valid.filter(rank == index), tf.key)
        nulls = still_empty(tf, chosen)
        if nulls:
            fill = _null_rows(key_rows(tf, nulls), tf.frame.schema, len(nulls))
            chosen = pl.concat([chosen, fill], how="vertical")
        out.append(TableFrame(chosen, tf.key))
    return TableStream(out)


def _null_rows(keys: pl.DataFrame, schema: pl.Schema, n: int) -> pl.DataFrame:
    """Rows of the full schema: the given key columns, every other cell null."""
    return pl.DataFrame([keys[c] if c in keys.columns else pl.Series(c, [None] * n, t)
                         for c, t in schema.items()])


# -- influxdata/tdigest ------------------------------------------------------------------------
class TDigest:
    """influxdata/tdigest's merging t-digest, step for step, so estimates match InfluxDB's.

    Values are buffered (`unprocessed`, all of weight 1) and merged into centroids
    (`processed`, [mean, weight]) when the buffer overflows and before a quantile is read; a
    centroid grows while the cumulative weight stays under a limit from the arcsine scale
    function. Pure Python: the merging is sequential, with no expression form.
    """

    def __init__(self, compression: float) -> None:
        self.compression = compression
        self.max_processed = int(2 * math.ceil(compression))
        self.max_unprocessed = int(8 * math.ceil(compression))
        self.processed: list[list[float]] = []
        self.unprocessed: list[float] = []
        self.processed_weight = 0.0
        self.min = 1.7976931348623157e308
        self.max = -1.7976931348623157e308

    def add_all(self, values: Sequence[float]) -> None:
        """Add each value with weight 1 (NaN ignored), processing when upstream's Add would."""
        values = [v for v in values if v == v]
        i = 0
        while i < len(values):
            room = 1 if len(self.processed) > self.max_processed else \
                self.max_unprocessed + 1 - len(self.unprocessed)
            chunk = values[i:i + max(room, 1)]
            self.unprocessed.extend(chunk)
            i += len(chunk)
            if len(self.processed) > self.max_processed or \
                    len(self.unprocessed) > self.max_unprocessed:
                self.process()

    def _limit(self, total: float, k: float) -> float:
        """The weight a centroid may reach up to: scale function inverse at k, times total
        (upstream's integratedQ, operation for operation)."""
        c = self.compression
        return total * ((math.sin(min(k, c) * math.pi / c - math.pi / 2.0) + 1.0) / 2.0)

    def process(self) -> None:
        if not self.unprocessed and len(self.processed) <= self.max_processed:
            return
        # upstream appends the centroids to the buffer, then sorts by mean
        merged = sorted([[v, 1.0] for v in self.unprocessed] + self.processed,
                        key=itemgetter(0))
        self.processed_weight += len(self.unprocessed)
        total = self.processed_weight
        last = list(merged[0])
        out = [last]
        so_far = last[1]
        limit = self._limit(total, 1.0)
        c, pi, half_pi, sin, asin = self.compression, math.pi, math.pi / 2.0, math.sin, math.asin
        for mean, weight in merged[1:]:
            projected = so_far + weight
            if projected <= limit:
                so_far = projected
                last[1] += weight  # upstream Centroid.Add: weight first, then the mean
                last[0] += weight * (mean - last[0]) / last[1]
            else:
                # inlined for speed: k = integratedLocation(so_far / total) + 1, then _limit
                k = c * (asin(2.0 * (so_far / total) - 1.0) + half_pi) / pi + 1.0
                limit = total * ((sin((k if k < c else c) * pi / c - half_pi) + 1.0) / 2.0)
                so_far += weight
                last = [mean, weight]
                out.append(last)
        self.processed = out
        self.min = min(self.min, out[0][0])
        self.max = max(self.max, out[-1][0])
        self.unprocessed = []

    def quantile(self, q: float) -> float:
        self.process()
        cs = self.processed
        if q < 0 or q > 1 or not cs:
            return math.nan
        if len(cs) == 1:
            return cs[0][0]
        cumulative, prev = [], 0.0
        for _, weight in cs:
            cumulative.append(prev + weight / 2.0)
            prev += weight
        cumulative.append(prev)
        index = q * self.processed_weight
        if index <= cs[0][1] / 2.0:
            return self.min + 2.0 * index / cs[0][1] * (cs[0][0] - self.min)
        lower = bisect_left(cumulative, index)
        if lower + 1 != len(cumulative):
            z1 = index - cumulative[lower - 1]
            z2 = cumulative[lower] - index
            return _weighted_average(cs[lower - 1][0], z2, cs[lower][0], z1)
        z1 = index - self.processed_weight - cs[lower - 1][1] / 2.0
        z2 = cs[lower - 1][1] / 2.0 - z1
        return _weighted_average(cs[-1][0], z1, self.max, z2)


def _weighted_average(x1: float, w1: float, x2: float, w2: float) -> float:
    if x1 > x2:
        x1, w1, x2, w2 = x2, w2, x1, w1
    x = (x1 * w1 + x2 * w2) / (w1 + w2)
    return max(x1, min(x, x2))


def tdigest_quantile(values: Sequence[float], q: float, compression: float) -> float:
    """The t-digest estimate of the q-quantile of the values (NaN when all are NaN)."""
    digest = TDigest(compression)
    digest.add_all(values)
    return digest.quantile(q)
