"""`histogramQuantile(quantile:, countColumn:, upperBoundColumn:, valueColumn:, minValue:,
onNonmonotonic:)`: the quantile a cumulative histogram (one per table) approximates.

As upstream's histogram_quantile.go: each table's rows (bins) are ordered by upper bound; both
columns must be float and hold no null; an empty table is an error. Counts that go down are an
error ("error"), make the table empty ("drop"), or are raised to the largest count before them
("force"; a negative count counts as 0 there). The output is one row per table: the key columns
(key order) and `valueColumn` (float): null when the last count is 0, the last bin's bound when
the rank reaches its count, else the linear interpolation inside the bin holding the rank (the
first bin starts at `minValue` with count 0; an infinite end gives the other bound).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index
from tsengine.execute.table import TableFrame, TableStream, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream

MODES = ("error", "force", "drop")


@dataclass(eq=False)
class HistogramQuantile(PlanNode):
    """The `quantile` of the histogram each table holds."""

    function: ClassVar[str] = "histogramQuantile"

    input: PlanNode
    quantile: float
    count_column: str = "_value"
    upper_bound_column: str = "le"
    value_column: str = "_value"
    min_value: float = 0.0
    on_nonmonotonic: str = "error"


@builtin("histogramQuantile", pipe="tables")
def histogram_quantile(ctx: CallContext, tables: Any, quantile: Any = None,
                       countColumn: Any = "_value", upperBoundColumn: Any = "le",  # noqa: N803
                       valueColumn: Any = "_value", minValue: Any = 0.0,  # noqa: N803
                       onNonmonotonic: Any = "error") -> Stream:  # noqa: N803
    tables = require_stream("histogramQuantile", tables)
    if quantile is None:
        raise OperatorError("histogramQuantile(): missing required argument 'quantile'")
    for name, value in (("quantile", quantile), ("minValue", minValue)):
        if not isinstance(value, float):
            raise OperatorError(f"histogramQuantile(): {name} must be a float, found "
                                f"{type_name(value)}")
    for name, value in (("countColumn", countColumn), ("upperBoundColumn", upperBoundColumn),
                        ("valueColumn", valueColumn), ("onNonmonotonic", onNonmonotonic)):
        if not isinstance(value, str):
            raise OperatorError(f"histogramQuantile(): {name} must be a string, found "
                                f"{type_name(value)}")
    if onNonmonotonic not in MODES:
        raise OperatorError('value provided to histogramQuantile parameter onNonmonotonic is '
                            'invalid; must be one of "error", "force" or "drop"')
    return Stream(HistogramQuantile(tables.node, quantile, countColumn, upperBoundColumn,
                                    valueColumn, minValue, onNonmonotonic, span=ctx.span))


@implements(HistogramQuantile)
def run_histogram_quantile(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                           ) -> TableStream:
    assert isinstance(node, HistogramQuantile)
    return TableStream([_quantiles(ctx, node, tf) for tf in inputs[0].frames])


def _check(ctx: ExecContext, node: HistogramQuantile, tf: TableFrame) -> None:
    schema = tf.frame.schema
    for what, column in (("count", node.count_column), ("upper bound", node.upper_bound_column)):
        if column not in schema:
            raise ctx.error(node, f'table is missing {what} column "{column}"')
        if schema[column] != pl.Float64:
            raise ctx.error(node, f'{what} column "{column}" must be of type float')
    if tf.empty:
        raise ctx.error(node, "histogram is empty")
    for name, column in (("countColumn", node.count_column),
                         ("upperBoundColumn", node.upper_bound_column)):
        if tf.frame.get_column(column).null_count():
            raise ctx.error(node, f"unexpected null in the {name}")


def _quantiles(ctx: ExecContext, node: HistogramQuantile, tf: TableFrame) -> TableFrame:
    """One row per table: its key and the quantile (tables dropped as non-monotonic empty)."""
    _check(ctx, node, tf)
    key = list(tf.key)
    bins = (tf.frame.select([*key, pl.col(node.count_column).alias("\0count"),
                             pl.col(node.upper_bound_column).alias("\0bound")])
            .sort([*key, "\0bound"], nulls_last=False, maintain_order=True))
    count = pl.col("\0count")
    # the largest count above each bin, 0 at least (upstream's running prevCount)
    before = pl.max_horizontal(over(count.cum_max().shift(1), key).fill_null(0.0), pl.lit(0.0))
    bins = bins.with_columns(before.alias("\0before"))
    bins = bins.with_columns(over((count < pl.col("\0before")).any(), key).alias("\0bad"))
    dropped: list[tuple[object, ...]] = []
    if node.on_nonmonotonic == "force":
        bins = bins.with_columns(pl.max_horizontal(count, pl.col("\0before")).alias("\0count"))
    elif bins.get_column("\0bad").any():
        if node.on_nonmonotonic == "error":
            raise ctx.error(node, "histogram records counts are not monotonic")
        kept = bins.filter(~pl.col("\0bad"))
        dropped = sorted(key_values(bins, tf.key) - key_values(kept, tf.key), key=repr) \
            if key else [()]
        bins = kept
    return TableFrame(_chosen_rows(node, bins, key), tf.key, dropped)


def _chosen_rows(node: HistogramQuantile, bins: pl.DataFrame, key: list[str]) -> pl.DataFrame:
    """Each table's row of the bin holding the rank, with the quantile computed from it."""
    index = row_index(key, "\0i")
    bins = bins.with_columns(index)
    count, bound, i = pl.col("\0count"), pl.col("\0bound"), pl.col("\0i")
    total = over(count.last(), key)
    rank = total * node.quantile
    last = over(pl.len(), key).cast(pl.Int64) - 1
    # the last bin whose count the rank reaches (-1: none), and the bin after it
    reached = over(pl.when(rank >= count).then(i).max(), key).fill_null(-1)
    upper_row = pl.min_horizontal(reached + 1, last)
    lower_count = over(count.shift(1), key).fill_null(0.0)
    lower_bound = over(bound.shift(1), key).fill_null(node.min_value)
    interpolated = lower_bound + (bound - lower_bound) * (rank - lower_count) \
        / (count - lower_count)
    value = (pl.when(total == 0).then(None)
             .when(reached == last).then(bound)
             .when(rank == lower_count).then(lower_bound)
             .when(lower_bound == float("-inf")).then(bound)
             .when(bound == float("inf")).then(lower_bound)
             .otherwise(interpolated))
    bins = bins.with_columns(value.cast(pl.Float64).alias("\0value"),
                             (i == upper_row).alias("\0chosen"))
    return bins.filter(pl.col("\0chosen")).select([*key, pl.col("\0value")
                                                    .alias(node.value_column)])
