"""`keep(columns:|fn:)` and `drop(columns:|fn:)`: choose columns by name or by a predicate.

Columns keep their order; key columns removed leave the group key, and tables whose keys then
coincide are merged. Names that do not exist are ignored, as upstream does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Array, type_name
from tsengine.plan.nodes import PlanNode, StorageRead, Stream
from tsengine.stdlib.common import call_on_column, regrouped, require_stream


@dataclass(eq=False)
class KeepDrop(PlanNode):
    """The columns chosen by `keep` (drop=False) or removed by `drop` (drop=True)."""

    input: PlanNode
    columns: tuple[str, ...] | None
    fn: Closure | None
    drop: bool

    @property
    def function(self) -> str:  # type: ignore[override]
        return "drop" if self.drop else "keep"

    def describe(self) -> str:
        what = f"columns={list(self.columns)}" if self.columns is not None else "fn=<function>"
        return f"{'Drop' if self.drop else 'Keep'}({what})"


def _node(ctx: CallContext, tables: Any, columns: Any, fn: Any, drop: bool) -> Stream:
    name = "drop" if drop else "keep"
    tables = require_stream(name, tables)
    if (columns is None) == (fn is None):
        raise OperatorError(f"{name}(): give exactly one of columns or fn")
    if columns is not None and not (isinstance(columns, Array)
                                    and all(isinstance(c, str) for c in columns)):
        raise OperatorError(f"{name}(): columns must be an array of strings")
    if fn is not None and not isinstance(fn, Closure):
        raise OperatorError(f"{name}(): fn must be a function, found {type_name(fn)}")
    cols = tuple(columns) if columns is not None else None
    return Stream(KeepDrop(tables.node, cols, fn, drop, span=ctx.span))


@builtin("keep", pipe="tables")
def keep(ctx: CallContext, tables: Any, columns: Any = None, fn: Any = None) -> Stream:
    return _node(ctx, tables, columns, fn, drop=False)


@builtin("drop", pipe="tables")
def drop(ctx: CallContext, tables: Any, columns: Any = None, fn: Any = None) -> Stream:
    return _node(ctx, tables, columns, fn, drop=True)


def absorbed(read: StorageRead) -> KeepDrop:
    """The keep/drop a storage read absorbed (prune_columns), as the node it was: run the same
    way, and its errors name it and where it was called."""
    assert read.projected
    drop = read.drop is not None
    columns = read.drop if drop else read.keep
    return KeepDrop(read, columns, None, drop, span=read.projection_span)


@implements(KeepDrop)
def run_keep_drop(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    """The chosen columns of each frame, keys shrunk, tables whose keys now coincide merged
    (also what a storage read with an absorbed keep/drop runs on its tables)."""
    assert isinstance(node, KeepDrop)
    chosen_by_fn: dict[str, bool] = {}

    def chosen(tf: TableFrame) -> list[str]:
        if node.columns is not None:
            listed = set(node.columns)
            return [c for c in tf.frame.columns if (c in listed) != node.drop]
        assert node.fn is not None
        return [c for c in tf.frame.columns
                if call_on_column(ctx, node, node.fn, c, bool, chosen_by_fn) != node.drop]

    def project(tf: TableFrame) -> TableFrame | None:
        columns = chosen(tf)
        if not columns:
            return None  # a table without columns holds nothing
        key = tuple(k for k in tf.key if k in columns)
        positions = [tf.key.index(k) for k in key]
        empty = list(dict.fromkeys(tuple(v[i] for i in positions) for v in tf.empty))
        return TableFrame(tf.frame.select(columns), key, empty)

    return regrouped(ctx, node, inputs[0].frames, project,
                     lambda tf: not set(tf.key) <= set(chosen(tf)))
