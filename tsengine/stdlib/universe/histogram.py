"""`histogram(column:, upperBoundColumn:, countColumn:, bins:, normalize:)`: each table becomes
its cumulative histogram; and `linearBins`/`logarithmicBins`, which make the bins.

As upstream's histogram.go: the bins are sorted; each table gives one row per bin holding the
key columns (key order), the bin's upper bound (float, default label `le`) and the number of
non-null values less than or equal to it (float, default label `_value`), divided by the
number of non-null values when normalizing (NaN for a table without values). The column must
be a float column; a value above every bin (NaN too) is an error, so bins usually end with
+Inf. The group key stays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, flux_type
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.aggregates import key_rows


@dataclass(eq=False)
class Histogram(PlanNode):
    """The cumulative histogram of `column` in each table."""

    function: ClassVar[str] = "histogram"

    input: PlanNode
    column: str
    upper_bound_column: str
    count_column: str
    bins: tuple[float, ...]
    normalize: bool


def _string(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise OperatorError(f"histogram(): {name} must be a string, found {type_name(value)}")
    return value


def float_array(function: str, name: str, value: Any) -> tuple[float, ...]:
    """An array-of-floats argument, or the call's error."""
    if not isinstance(value, Array) or not all(isinstance(v, float) for v in value):
        raise OperatorError(f"{function}(): {name} must be an array of floats")
    return tuple(value)


@builtin("histogram", pipe="tables")
def histogram(ctx: CallContext, tables: Any, bins: Any, column: Any = "_value",
              upperBoundColumn: Any = "le", countColumn: Any = "_value",  # noqa: N803
              normalize: Any = False) -> Stream:
    tables = require_stream("histogram", tables)
    if not isinstance(normalize, bool):
        raise OperatorError("histogram(): normalize must be a bool")
    return Stream(Histogram(tables.node, _string("column", column),
                            _string("upperBoundColumn", upperBoundColumn),
                            _string("countColumn", countColumn),
                            tuple(sorted(float_array("histogram", "bins", bins))), normalize,
                            span=ctx.span))


def _bins_args(function: str, start: Any, step_name: str, step: Any, count: Any,
               infinity: Any) -> tuple[float, float, int, bool]:
    for name, value in (("start", start), (step_name, step)):
        if not isinstance(value, float):
            raise OperatorError(f"{function}(): {name} must be a float")
    if isinstance(count, bool) or not isinstance(count, int):
        raise OperatorError(f"{function}(): count must be an int")
    if not isinstance(infinity, bool):
        raise OperatorError(f"{function}(): infinity must be a bool")
    return start, step, count, infinity


def _bins(bounds: list[float], infinity: bool) -> Array:
    """The bounds, the last one replaced by +Inf under `infinity` (one more was made for it)."""
    if infinity and bounds:
        bounds[-1] = math.inf
    return Array(bounds)


@builtin("linearBins")
def linear_bins(ctx: CallContext, start: Any, width: Any, count: Any, infinity: Any = True
                ) -> Array:
    start, width, count, infinity = _bins_args("linearBins", start, "width", width, count,
                                               infinity)
    bounds, bound = [], start
    for _ in range(count + 1 if infinity else count):
        bounds.append(bound)
        bound += width  # added up one by one as upstream does (not start + i * width)
    return _bins(bounds, infinity)


@builtin("logarithmicBins")
def logarithmic_bins(ctx: CallContext, start: Any, factor: Any, count: Any,
                     infinity: Any = True) -> Array:
    start, factor, count, infinity = _bins_args("logarithmicBins", start, "factor", factor,
                                                count, infinity)
    bounds, bound = [], start
    for _ in range(count + 1 if infinity else count):
        bounds.append(bound)
        bound *= factor
    return _bins(bounds, infinity)


@implements(Histogram)
def run_histogram(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Histogram)
    return TableStream([_histogram(ctx, node, tf) for tf in inputs[0].frames])


def _bin_of_each_value(ctx: ExecContext, node: Histogram, values: pl.Series) -> pl.Series:
    """The index of the first bin at or above each (non-null) value; one above all is an error."""
    bins = np.array(node.bins, dtype=np.float64)
    found = np.searchsorted(bins, values.to_numpy(), side="left")
    over = np.flatnonzero(found >= len(bins))
    if len(over):
        v = float(values[int(over[0])])
        last = f" {_go_float(bins[-1])}" if len(bins) else ""
        raise ctx.error(node, f"found value greater than any bin, {len(bins)} {len(bins)} "
                              f"{_go_float(v)}{last}")
    return pl.Series("\0bin", found, pl.Int64)


def _go_float(v: float) -> str:
    """Go's %f."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "+Inf" if v > 0 else "-Inf"
    return f"{v:.6f}"


def _histogram(ctx: ExecContext, node: Histogram, tf: TableFrame) -> TableFrame:
    column, key = node.column, list(tf.key)
    if column not in tf.frame.columns:
        raise ctx.error(node, f'column "{column}" is missing')
    if tf.frame.schema[column] != pl.Float64:
        raise ctx.error(node, f'column "{column}" must be a float got '
                              f"{flux_type(tf.frame.schema[column])}")
    values = tf.frame.select([*key, column]).filter(pl.col(column).is_not_null())
    values = values.with_columns(_bin_of_each_value(ctx, node, values[column]))
    tables = tf.frame.select(key).unique(maintain_order=True) if key else \
        pl.DataFrame([pl.Series("\0one", [0] * min(1, tf.frame.height + len(tf.empty)))])
    if tf.empty and key:
        tables = pl.concat([tables, key_rows(tf, tf.empty)], how="vertical")
    bins = pl.DataFrame([pl.Series("\0bin", range(len(node.bins)), pl.Int64),
                         pl.Series(node.upper_bound_column, node.bins, pl.Float64)])
    counts = values.group_by([*key, "\0bin"]).agg(pl.len().cast(pl.Float64).alias("\0n"))
    rows = tables.join(bins, how="cross")
    on = [*key, "\0bin"]
    rows = rows.join(counts, on=on, how="left", nulls_equal=True, maintain_order="left")
    count = _cumulative(pl.col("\0n").fill_null(0.0), key)
    if node.normalize:
        count = count / _cumulative(pl.col("\0n").fill_null(0.0), key, total=True)
    out = rows.with_columns(count.alias("\0count")).select(
        [*key, node.upper_bound_column, pl.col("\0count").alias(node.count_column)])
    return TableFrame(out, tf.key)


def _cumulative(n: pl.Expr, key: list[str], total: bool = False) -> pl.Expr:
    """Running (or total) sum of the bin counts within each table."""
    summed = n.sum() if total else n.cum_sum()
    return summed.over(key) if key else summed
