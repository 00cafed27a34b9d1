"""The executor: runs a (planned) node tree bottom-up into TableStreams.

Each node type has one implementation, registered by the stdlib module that defines it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from storage import Store
from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TableStream
from tsengine.flux.interpreter import Interpreter
from tsengine.plan.nodes import PlanNode


@dataclass
class ExecContext:
    """What implementations may use: the store to read and write, the interpreter for closures."""

    store: Store
    interp: Interpreter
    # what the query did, for task run logs: "points_read", "points_written"
    counts: Counter[str] = field(default_factory=Counter)

    def error(self, node: PlanNode, message: str) -> FluxRuntimeError:
        """A runtime error naming the function and where it was called."""
        line, col = (node.span.line, node.span.col) if node.span else (0, 0)
        function = node.function or node.name.lower()
        return FluxRuntimeError(f"{function}: {message}", line, col, self.interp.source)


Implementation = Callable[[ExecContext, PlanNode, list[TableStream]], TableStream]
IMPLEMENTATIONS: dict[type[PlanNode], Implementation] = {}


def implements(node_type: type[PlanNode]) -> Callable[[Implementation], Implementation]:
    """Register the implementation of a node type."""

    def register(fn: Implementation) -> Implementation:
        IMPLEMENTATIONS[node_type] = fn
        return fn

    return register


def execute(ctx: ExecContext, node: PlanNode) -> TableStream:
    """Run a node and, first, its inputs."""
    inputs = [execute(ctx, child) for child in node.inputs]
    impl = IMPLEMENTATIONS.get(type(node))
    if impl is None:
        raise ctx.error(node, "has no implementation")
    return impl(ctx, node, inputs)
