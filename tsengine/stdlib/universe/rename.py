"""`rename(columns: {old: "new"} | fn: (column) => string)`: relabel columns, keys included.

A listed column that does not exist is an error, and so are two columns ending with one name,
as upstream.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext, Closure
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Record, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import call_on_column, merged_stream, require_stream


@dataclass(eq=False)
class Rename(PlanNode):
    """Columns relabelled by a mapping or a function."""

    input: PlanNode
    mapping: dict[str, str] | None
    fn: Closure | None

    function: ClassVar[str] = "rename"

    def describe(self) -> str:
        return f"Rename(columns={self.mapping})" if self.mapping is not None else \
            "Rename(fn=<function>)"


@builtin("rename", pipe="tables")
def rename(ctx: CallContext, tables: Any, columns: Any = None, fn: Any = None) -> Stream:
    tables = require_stream("rename", tables)
    if (columns is None) == (fn is None):
        raise OperatorError("rename(): give exactly one of columns or fn")
    mapping = None
    if columns is not None:
        if not isinstance(columns, Record) or not all(isinstance(v, str)
                                                      for v in columns.values()):
            raise OperatorError("rename(): columns must be a record of new names, "
                                'like {old: "new"}')
        mapping = dict(columns)
    elif not isinstance(fn, Closure):
        raise OperatorError(f"rename(): fn must be a function, found {type_name(fn)}")
    return Stream(Rename(tables.node, mapping, fn, span=ctx.span))


@implements(Rename)
def run_rename(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Rename)
    names: dict[str, str] = {}
    frames = []
    for tf in inputs[0].frames:
        if node.mapping is not None:
            missing = [c for c in node.mapping if c not in tf.frame.columns]
            if missing:
                raise ctx.error(node, f'rename error: column "{missing[0]}" doesn\'t exist')
            new = {c: node.mapping.get(c, c) for c in tf.frame.columns}
        else:
            assert node.fn is not None
            new = {c: call_on_column(ctx, node, node.fn, c, str, names)
                   for c in tf.frame.columns}
        labels = list(new.values())
        clash = next((n for n in labels if labels.count(n) > 1), None)
        if clash is not None:
            raise ctx.error(node, f'rename error: more than one column would be named "{clash}"')
        frames.append(TableFrame(tf.frame.rename(new), tuple(new[k] for k in tf.key),
                                 list(tf.empty)))
    return merged_stream(ctx, node, frames)
