"""`covariance(columns:, pearsonr:, valueDst:)` per table, and `cov`/`pearsonr` written in Flux
over join and covariance as upstream's universe.flux writes them.

As upstream's covariance.go: the two columns must exist, be of one type, and that type must be
float; rows where either value is null are skipped. The output is one row per table: the key
columns (key order) and `valueDst` (float): the sample covariance, or with `pearsonr` the
Pearson correlation; fewer than two pairs (an empty table too) give NaN. The co-moments are
updated pair by pair in row order exactly as upstream's loop does (a closed form rounds
differently in the last digits), so each table's pairs go through that loop in Python, as
stddev's values do.
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
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import Array, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.aggregates import with_empty_tables


@dataclass(eq=False)
class Covariance(PlanNode):
    """The covariance (or Pearson correlation) of two columns in each table."""

    function: ClassVar[str] = "covariance"

    input: PlanNode
    columns: tuple[str, str]
    pearsonr: bool = False
    value_dst: str = "_value"


@builtin("covariance", pipe="tables")
def covariance(ctx: CallContext, tables: Any, columns: Any, pearsonr: Any = False,
               valueDst: Any = "_value") -> Stream:  # noqa: N803
    tables = require_stream("covariance", tables)
    if not isinstance(pearsonr, bool):
        raise OperatorError(f"covariance(): pearsonr must be a bool, found {type_name(pearsonr)}")
    if not isinstance(valueDst, str):
        raise OperatorError(f"covariance(): valueDst must be a string, found "
                            f"{type_name(valueDst)}")
    if not isinstance(columns, Array) or not all(isinstance(c, str) for c in columns):
        raise OperatorError("covariance(): columns must be an array of strings")
    if len(columns) != 2:
        raise OperatorError("covariance(): must provide exactly two columns")
    return Stream(Covariance(tables.node, (columns[0], columns[1]), pearsonr, valueDst,
                             span=ctx.span))


REGISTRY.define_in_flux("""
cov = (x, y, on, pearsonr=false) =>
    join(tables: {x: x, y: y}, on: on)
        |> covariance(pearsonr: pearsonr, columns: ["_value_x", "_value_y"])
pearsonr = (x, y, on) => cov(x: x, y: y, on: on, pearsonr: true)
""")


@implements(Covariance)
def run_covariance(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Covariance)
    return TableStream([_covariances(ctx, node, tf) for tf in inputs[0].frames])


def _check(ctx: ExecContext, node: Covariance, tf: TableFrame) -> None:
    schema = tf.frame.schema
    for column in node.columns:
        if column not in schema:
            raise ctx.error(node, f"specified column does not exist in table: {column}")
    x, y = (schema[c] for c in node.columns)
    if x != y:
        raise ctx.error(node, "cannot compute the covariance between different types")
    if x != pl.Float64 and tf.frame.height:
        raise ctx.error(node, f"covariance does not support {flux_type(x)}")


def _covariances(ctx: ExecContext, node: Covariance, tf: TableFrame) -> TableFrame:
    _check(ctx, node, tf)
    x, y = node.columns
    both = pl.col(x).is_not_null() & pl.col(y).is_not_null()
    pairs = pl.struct(pl.col(x).filter(both).cast(pl.Float64).implode().alias("x"),
                      pl.col(y).filter(both).cast(pl.Float64).implode().alias("y"))
    rows = pertable.aggregate(tf.frame, tf.key, [pairs.alias("\0pairs")])
    value = pl.col("\0pairs").map_elements(
        lambda p: co_moment(p["x"], p["y"], node.pearsonr), return_dtype=pl.Float64)
    rows = rows.select([*tf.key, value.alias(node.value_dst)])
    return TableFrame(with_empty_tables(tf, rows, node.value_dst, pl.Float64(), math.nan),
                      tf.key)


def co_moment(xs: Sequence[float], ys: Sequence[float], pearsonr: bool) -> float:
    """Upstream's one-pass covariance (n - 1 denominator) or Pearson correlation."""
    n, xm1, ym1, xm2, ym2, xym2 = 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    for x, y in zip(xs, ys, strict=True):
        n += 1
        xdelta, ydelta = x - xm1, y - ym1
        xm1 += xdelta / n
        ym1 += ydelta / n
        xdelta2, ydelta2 = x - xm1, y - ym1
        xm2 += xdelta * xdelta2
        ym2 += ydelta * ydelta2
        xym2 += xdelta * ydelta2
    if n < 2:
        return math.nan
    if pearsonr:
        return _divide(xym2, math.sqrt(xm2 * ym2))
    return xym2 / (n - 1)


def _divide(a: float, b: float) -> float:
    """Go's float division: by zero gives NaN or an infinity, not an error."""
    if b == 0:
        return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a)
    return a / b
