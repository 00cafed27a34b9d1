"""Running a Flux script as a query: interpret it, plan each result, execute the plans.

A top-level expression that is a stream is a result: named by its `yield`, else `_result`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from storage import Store
from tsengine.errors import FluxRuntimeError
from tsengine.execute.executor import ExecContext, execute
from tsengine.execute.table import TableStream
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.registry import REGISTRY
from tsengine.plan.nodes import From, PlanNode, Range, Stream, Yield
from tsengine.plan.planner import optimize


@dataclass
class QueryResult:
    """One named result: its tables and the plan that produced them."""

    name: str
    stream: TableStream
    plan: PlanNode


def plan_query(store: Store, source: str, *, now: int | None = None,
               disabled_rules: Iterable[str] = (), extern: Mapping[str, Any] | None = None
               ) -> tuple[Interpreter, list[tuple[str, PlanNode]]]:
    """Interpret a script and plan its results (nothing is read yet)."""
    import tsengine.stdlib  # noqa: F401  (registers the builtins)

    interp = Interpreter(REGISTRY, now=(lambda: now) if now is not None else store.clock.now,
                         source=source)
    interp.materialize = lambda node: execute(ExecContext(store, interp),
                                              optimize(node, disabled_rules))
    program = interp.run(source, extern=extern)
    planned: list[tuple[str, PlanNode]] = []
    for _stmt, value in program.results:
        if not isinstance(value, Stream):
            continue
        node = value.node
        name = node.result if isinstance(node, Yield) else "_result"
        if any(name == n for n, _ in planned):
            raise FluxRuntimeError(f'tried to produce more than one result with the name "{name}"',
                                   *_position(node), source)
        _check_bounded(node, source)
        planned.append((name, optimize(node, disabled_rules)))
    return interp, planned


def run_query(store: Store, source: str, *, now: int | None = None,
              disabled_rules: Iterable[str] = (), extern: Mapping[str, Any] | None = None,
              counts: Counter[str] | None = None) -> list[QueryResult]:
    """Run a script; one QueryResult per result, in script order. `counts` receives what the
    run did (points read and written)."""
    interp, planned = plan_query(store, source, now=now, disabled_rules=disabled_rules,
                                 extern=extern)
    ctx = ExecContext(store, interp) if counts is None else ExecContext(store, interp, counts)
    return [QueryResult(name, execute(ctx, plan), plan) for name, plan in planned]


def _check_bounded(node: PlanNode, source: str, parent: PlanNode | None = None) -> None:
    if isinstance(node, From) and not isinstance(parent, Range):
        raise FluxRuntimeError(
            f'cannot submit unbounded read to "{node.bucket}"; try bounding "from" with a call '
            f'to "range"', *_position(node), source)
    for child in node.inputs:
        _check_bounded(child, source, node)


def _position(node: PlanNode) -> tuple[int, int]:
    return (node.span.line, node.span.col) if node.span else (0, 0)
