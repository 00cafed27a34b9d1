"""`sort(columns:, desc:)`: order each table's rows by columns, stably.

As upstream: listed columns that are group-key columns or do not exist are ignored; nulls sort
first whether ascending or descending (arrowutil Compare/CompareDesc); schema and key unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class Sort(PlanNode):
    """Rows of each table ordered by `columns` (nulls first), ties in input order."""

    function: ClassVar[str] = "sort"

    input: PlanNode
    columns: tuple[str, ...] = ("_value",)
    desc: bool = False


def string_list(function: str, name: str, value: Any) -> tuple[str, ...]:
    """An argument that must be an array of strings, as a tuple."""
    if not (isinstance(value, Array) and all(isinstance(c, str) for c in value)):
        raise OperatorError(f"{function}(): {name} must be an array of strings")
    return tuple(value)


@builtin("sort", pipe="tables")
def sort(ctx: CallContext, tables: Any, columns: Any = None, desc: Any = False) -> Stream:
    tables = require_stream("sort", tables)
    cols = ("_value",) if columns is None else string_list("sort", "columns", columns)
    if not isinstance(desc, bool):
        raise OperatorError("sort(): desc must be a bool")
    return Stream(Sort(tables.node, cols, desc, span=ctx.span))


def sorted_frame(tf: TableFrame, columns: tuple[str, ...], desc: bool) -> TableFrame:
    """`tf` with each table's rows sorted (tables end up contiguous, in key order)."""
    cols = [c for c in dict.fromkeys(columns) if c in tf.frame.columns and c not in tf.key]
    if not cols or tf.frame.height < 2:
        return tf
    by = [*tf.key, *cols]
    frame = tf.frame.sort(by, descending=[False] * len(tf.key) + [desc] * len(cols),
                          nulls_last=False, maintain_order=True)
    return TableFrame(frame, tf.key, tf.empty)


@implements(Sort)
def run_sort(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Sort)
    return TableStream([sorted_frame(tf, node.columns, node.desc) for tf in inputs[0].frames])
