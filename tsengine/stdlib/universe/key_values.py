"""`keyValues(keyColumns:)`: each table's distinct values of some columns, one row each.

As upstream key_values.go: the output is the key columns (in key order), `_key` (the column's
label) and `_value` (its value). Rows go row by row through the table, and within a row through
`keyColumns` in the order given, skipping a (label, value) seen before in the table; a null is
kept once per table whatever its column. Listed columns the table lacks are skipped; a table
that has none of them is an error, as are columns of two types. A table without rows stays
a table without rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import over, row_index
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class KeyValues(PlanNode):
    """The distinct values of `key_columns` in each table, as `_key`/`_value` rows."""

    input: PlanNode
    key_columns: tuple[str, ...]

    function: ClassVar[str] = "keyValues"


@builtin("keyValues", pipe="tables")
def key_values(ctx: CallContext, tables: Any, keyColumns: Any = None) -> Stream:  # noqa: N803
    tables = require_stream("keyValues", tables)
    if keyColumns is None:
        raise OperatorError("keyValues(): neither column list nor predicate function provided")
    if not isinstance(keyColumns, Array) or not all(isinstance(c, str) for c in keyColumns):
        raise OperatorError("keyValues(): keyColumns must be an array of strings")
    return Stream(KeyValues(tables.node, tuple(keyColumns), span=ctx.span))


@implements(KeyValues)
def run_key_values(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, KeyValues)
    out = []
    for tf in inputs[0].frames:
        if tf.frame.height or tf.empty:
            out.append(_key_values(ctx, node, tf))
    return TableStream(out)


def _key_values(ctx: ExecContext, node: KeyValues, tf: TableFrame) -> TableFrame:
    present = [c for c in dict.fromkeys(node.key_columns) if c in tf.frame.columns]
    if not present:
        raise ctx.error(node, f"received table with columns [{' '.join(tf.frame.columns)}] not "
                              f"having key columns [{' '.join(node.key_columns)}]")
    dtype = tf.frame.schema[present[-1]]
    if any(tf.frame.schema[c] != dtype for c in present):
        raise ctx.error(node, "keyColumns must all be the same type")
    for label in ("_key", "_value"):
        if label in tf.key:
            raise ctx.error(node, f"table builder already has column with label {label}")
    key = list(tf.key)
    rows = tf.frame.select(*key, row_index(key, "\0row"), *present)
    long = rows.unpivot(index=[*key, "\0row"], on=present, variable_name="\0key",
                        value_name="\0value").rename({"\0key": "_key", "\0value": "_value"})
    position = pl.col("_key").replace_strict(present, list(range(len(present))),
                                             return_dtype=pl.Int64)
    long = long.with_columns(position.alias("\0pos"))
    long = long.sort([*key, "\0row", "\0pos"], maintain_order=True) if key else long.sort(
        ["\0row", "\0pos"], maintain_order=True)
    # a null counts once per table, whichever column holds it
    label = pl.when(pl.col("_value").is_null()).then(pl.lit(None, pl.String)).otherwise("_key")
    first = over(pl.struct(label.alias("\0label"), "_value").is_first_distinct(), key)
    out = long.filter(first).select(*key, "_key", pl.col("_value").cast(dtype))
    return TableFrame(out, tf.key, list(tf.empty))
