"""`limit(n:, offset:)` and `tail(n:, offset:)`: a slice of each table's rows.

limit keeps rows [offset, offset + n) of each table; tail the last n rows before the final
`offset` rows. As upstream's transformations: an empty input table stays an empty table; limit
with n <= 0 leaves every table empty; limit whose offset skips every row of a table leaves no
table at all (upstream never sends it a chunk); tail always keeps the table, maybe empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute import pertable
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class Limit(PlanNode):
    """Rows [offset, offset + n) of each table."""

    function: ClassVar[str] = "limit"

    input: PlanNode
    n: int
    offset: int = 0


@dataclass(eq=False)
class Tail(PlanNode):
    """The last n rows of each table once the final `offset` rows are left out."""

    function: ClassVar[str] = "tail"

    input: PlanNode
    n: int
    offset: int = 0


def _ints(function: str, n: Any, offset: Any) -> tuple[int, int]:
    for name, value in (("n", n), ("offset", offset)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise OperatorError(f"{function}(): {name} must be an int")
    return n, offset


@builtin("limit", pipe="tables")
def limit(ctx: CallContext, tables: Any, n: Any, offset: Any = 0) -> Stream:
    tables = require_stream("limit", tables)
    n, offset = _ints("limit", n, offset)
    if offset < 0:
        raise OperatorError(f"limit offset cannot be negative ({offset})")
    return Stream(Limit(tables.node, n, offset, span=ctx.span))


@builtin("tail", pipe="tables")
def tail(ctx: CallContext, tables: Any, n: Any, offset: Any = 0) -> Stream:
    tables = require_stream("tail", tables)
    n, offset = _ints("tail", n, offset)
    return Stream(Tail(tables.node, n, offset, span=ctx.span))


def _emptied(tf: TableFrame, frame: pl.DataFrame) -> list[tuple[object, ...]]:
    """Key values of the tables of `tf` that have no rows left in `frame`."""
    if not tf.key:
        return [()] if tf.frame.height and not frame.height else []
    gone = key_values(tf.frame, tf.key) - key_values(frame, tf.key)
    return sorted(gone, key=repr)


@implements(Limit)
def run_limit(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Limit)
    out = []
    for tf in inputs[0].frames:
        if node.n <= 0:
            everything = _emptied(tf, tf.frame.head(0))
            out.append(TableFrame(tf.frame.head(0), tf.key, [*tf.empty, *everything]))
            continue
        index = pertable.row_index(tf.key)
        frame = (tf.frame.with_columns(index)
                 .filter(pl.col("\0row").is_between(node.offset, node.offset + node.n - 1))
                 .drop("\0row"))
        if frame.height or tf.empty:
            out.append(TableFrame(frame, tf.key, tf.empty))
    return TableStream(out)


@implements(Tail)
def run_tail(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Tail)
    out = []
    for tf in inputs[0].frames:
        # position counted from the end: 0 is the last row
        from_end = (pertable.over(pl.len(), tf.key) - 1 - pertable.row_index(tf.key))
        frame = (tf.frame.with_columns(from_end.alias("\0end"))
                 .filter(pl.col("\0end").is_between(node.offset, node.offset + node.n - 1))
                 .drop("\0end"))
        out.append(TableFrame(frame, tf.key, [*tf.empty, *_emptied(tf, frame)]))
    return TableStream(out)
