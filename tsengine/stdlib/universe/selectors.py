"""Selectors `first last min max (column:)`: one whole input row per table.

`first`/`last` pick the first/last row whose column is not null; `min`/`max` the row with the
smallest/largest non-null value, the first such row on ties. All columns and the group key are
kept. A table with no such row stays, empty. `min`/`max` take int, uint, float and time only.

Upstream copies the row picked by `last`, `min` and `max` (and quantile's exact_selector) cell
by cell without looking at validity, so a null in another column of that row comes out as the
type's zero value (0, "", false, 1970-01-01T00:00:00Z); `zero_filled` reproduces this.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index
from tsengine.execute.table import TableFrame, TableStream, flux_type, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class Selector(PlanNode):
    """One row per table chosen by `column`."""

    input: PlanNode
    column: str = "_value"

    reads_row: ClassVar[bool] = True  # upstream copies the row without its nulls (see above)
    accepts: ClassVar[tuple[str, ...]] = ("bool", "int", "uint", "float", "string", "time")

    def choose(self, valid: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
        """The chosen row of each table, from rows whose column is not null."""
        raise NotImplementedError


@dataclass(eq=False)
class First(Selector):
    """The first row with a non-null value."""

    function: ClassVar[str] = "first"
    reads_row: ClassVar[bool] = False

    def choose(self, valid: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
        return valid.filter(row_index(key) == 0)


@dataclass(eq=False)
class Last(Selector):
    """The last row with a non-null value."""

    function: ClassVar[str] = "last"

    def choose(self, valid: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
        return valid.filter(row_index(key) == over(pl.len(), key) - 1)


@dataclass(eq=False)
class Min(Selector):
    """The first row holding the smallest value."""

    function: ClassVar[str] = "min"
    accepts: ClassVar[tuple[str, ...]] = ("int", "uint", "float", "time")

    def choose(self, valid: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
        col = pl.col(self.column)
        return valid.filter(col == over(col.min(), key)).filter(row_index(key) == 0)


@dataclass(eq=False)
class Max(Selector):
    """The first row holding the largest value."""

    function: ClassVar[str] = "max"
    accepts: ClassVar[tuple[str, ...]] = ("int", "uint", "float", "time")

    def choose(self, valid: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
        col = pl.col(self.column)
        return valid.filter(col == over(col.max(), key)).filter(row_index(key) == 0)


def _builtin(cls: type[Selector]) -> None:
    """Register `fn(tables=<-, column="_value")` for a selector node type."""

    def call(ctx: CallContext, tables: Any, column: Any = "_value") -> Stream:
        tables = require_stream(cls.function, tables)
        if not isinstance(column, str):
            raise OperatorError(f"{cls.function}(): column must be a string")
        return Stream(cls(tables.node, column, span=ctx.span))

    builtin(cls.function, pipe="tables")(call)


for _cls in (First, Last, Min, Max):
    _builtin(_cls)


def zero_filled(frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """Nulls outside the key replaced by their column type's zero value, as upstream's row copy
    gives them (the key keeps its values: they name the table)."""
    fills = []
    for name, dtype in frame.schema.items():
        if name in key or dtype == pl.Null:
            continue
        zero = pl.lit(0, pl.Int64).cast(dtype) if isinstance(dtype, pl.Datetime) else \
            pl.lit(False if dtype == pl.Boolean else "" if dtype == pl.String else 0, dtype)
        fills.append(pl.col(name).fill_null(zero))
    return frame.with_columns(fills) if fills else frame


def still_empty(tf: TableFrame, frame: pl.DataFrame) -> list[tuple[object, ...]]:
    """Key values of the input's tables that have no row in `frame` (the chosen rows).

    One anti-join finds the tables that lost every row (usually none): only their keys
    become Python values, not every table's.
    """
    if not tf.key:
        return [()] if (tf.frame.height or tf.empty) and not frame.height else []
    key = list(tf.key)
    lost = (tf.frame.select(key).unique()
            .join(frame.select(key), on=key, how="anti", nulls_equal=True))
    return [*tf.empty, *sorted(key_values(lost, tf.key), key=repr)]


@implements(First)
@implements(Last)
@implements(Min)
@implements(Max)
def run_selector(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Selector)
    out = []
    for tf in inputs[0].frames:
        if node.column not in tf.frame.columns:
            raise ctx.error(node, f'no column "{node.column}" exists')
        kind = flux_type(tf.frame.schema[node.column])
        if kind not in node.accepts:
            raise ctx.error(node, f"invalid use of function: *universe.{type(node).__name__}"
                                  f"Selector has no implementation for type {kind}")
        valid = tf.frame.filter(pl.col(node.column).is_not_null())
        chosen = node.choose(valid, tf.key)
        if node.reads_row:
            chosen = zero_filled(chosen, tf.key)
        out.append(TableFrame(chosen, tf.key, still_empty(tf, chosen)))
    return TableStream(out)
