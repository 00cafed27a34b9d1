"""`experimental.unpivot(otherColumns: ["_time"])`: the inverse of pivot, one table per value
column.

Every column that is neither in the group key nor in `otherColumns` becomes its own table:
the key columns, `_field` (the column's label, added to the key), the other columns, then
`_value` holding that column's non-null values. With `_field` among `otherColumns` it is
filled in at that place and not added to the key. Inputs with `_field` or `_value` columns, and
other columns that do not exist, are errors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream


@dataclass(eq=False)
class Unpivot(PlanNode):
    """Value columns turned into `_field`/`_value` tables."""

    input: PlanNode
    other_columns: tuple[str, ...]

    function: ClassVar[str] = "experimental.unpivot"


@builtin("unpivot", package="experimental", pipe="tables")
def unpivot(ctx: CallContext, tables: Any, otherColumns: Any = None) -> Stream:  # noqa: N803
    tables = require_stream("experimental.unpivot", tables)
    other = ["_time"] if otherColumns is None else otherColumns
    if not isinstance(other, Sequence) or isinstance(other, str) \
            or not all(isinstance(c, str) for c in other):
        raise OperatorError(f"experimental.unpivot(): otherColumns must be an array of strings, "
                            f"found {type_name(other)}")
    return Stream(Unpivot(tables.node, tuple(other), span=ctx.span))


@implements(Unpivot)
def run_unpivot(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Unpivot)
    out = []
    for tf in inputs[0].frames:
        if not tf.frame.height:
            continue
        columns = tf.frame.columns
        if "_field" in columns or "_value" in columns:
            raise ctx.error(node, 'unpivot can\'t have "_field" or "_value" as an input column')
        for name in node.other_columns:
            if name != "_field" and name not in columns:
                raise ctx.error(node, f'unpivot could not find column named "{name}"')
        values = [c for c in columns if c not in tf.key and c not in node.other_columns]
        out += [_one(tf, node.other_columns, c) for c in values]
    return merged_stream(ctx, node, out)


def _one(tf: TableFrame, other: tuple[str, ...], column: str) -> TableFrame:
    """The table(s) of one value column: its non-null rows."""
    label = pl.lit(column, pl.String).alias("_field")
    field_in_key = "_field" not in other
    picked = [pl.col(k) for k in tf.key] + ([label] if field_in_key else [])
    picked += [label if c == "_field" else pl.col(c) for c in other]
    picked.append(pl.col(column).alias("_value"))
    frame = tf.frame.filter(pl.col(column).is_not_null()).select(picked)
    key = (*tf.key, "_field") if field_in_key else tf.key
    lost = key_values(tf.frame, tf.key) - key_values(frame, tf.key)
    empty = sorted(((*k, column) if field_in_key else k for k in lost), key=repr)
    return TableFrame(frame, key, empty)
