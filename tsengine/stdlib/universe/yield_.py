"""`yield(name:)`: names a result of the script; its tables pass through unchanged."""

from __future__ import annotations

from typing import Any

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.plan.nodes import PlanNode, Stream, Yield
from tsengine.stdlib.common import require_stream


@builtin("yield", pipe="tables")
def yield_(ctx: CallContext, tables: Any, name: str = "_result") -> Stream:
    tables = require_stream("yield", tables)
    if not isinstance(name, str):
        raise OperatorError("yield(): name must be a string")
    return Stream(Yield(tables.node, name, span=ctx.span))


@implements(Yield)
def run_yield(_ctx: ExecContext, _node: PlanNode, inputs: list[TableStream]) -> TableStream:
    return inputs[0]
