"""`experimental.group(columns:, mode: "extend")`: add columns to each table's group key.

The key becomes the old key columns and the listed ones, in the table's column order; rows
are split by their values in the listed columns (order kept). A listed column a table lacks is
an error; tables without rows give no table (upstream builds output tables row by row).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream, require_stream


@dataclass(eq=False)
class ExtendGroup(PlanNode):
    """Each table's key extended by `columns`."""

    input: PlanNode
    columns: tuple[str, ...]

    function: ClassVar[str] = "experimental.group"


@builtin("group", package="experimental", pipe="tables")
def group(ctx: CallContext, tables: Any, mode: Any, columns: Any = None) -> Stream:
    tables = require_stream("experimental.group", tables)
    if mode != "extend":
        raise OperatorError(f'experimental.group(): invalid group mode {mode!r}; '
                            f'experimental.group requires mode "extend"')
    columns = [] if columns is None else columns
    if not isinstance(columns, Sequence) or isinstance(columns, str) \
            or not all(isinstance(c, str) for c in columns):
        raise OperatorError(f"experimental.group(): columns must be an array of strings, found "
                            f"{type_name(columns)}")
    return Stream(ExtendGroup(tables.node, tuple(columns), span=ctx.span))


@implements(ExtendGroup)
def run_extend_group(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, ExtendGroup)
    out = []
    for tf in inputs[0].frames:
        missing = [c for c in node.columns if c not in tf.frame.columns]
        if missing:
            raise ctx.error(node, f'unknown column "{missing[0]}"')
        if not tf.frame.height:
            continue
        wanted = set(tf.key) | set(node.columns)
        out.append(TableFrame(tf.frame, tuple(c for c in tf.frame.columns if c in wanted)))
    return merged_stream(ctx, node, out)
