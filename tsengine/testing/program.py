"""Running a testcase's program: a parsed file (assembled from several statements of a test
file, each keeping its position) as the query runner runs a script's text.

This is `tsengine.execute.query.run_query` for an AST: the same interpreter, planner and
executor, results named by their `yield`; here each result runs when its statement is reached.
"""

from __future__ import annotations

from storage import Store
from tsengine.errors import FluxRuntimeError
from tsengine.execute.executor import ExecContext, execute
from tsengine.execute.query import QueryResult, _check_bounded, _position
from tsengine.flux import ast
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.registry import REGISTRY
from tsengine.plan.nodes import Stream, Yield
from tsengine.plan.planner import optimize


def run_program(store: Store, program: ast.File, source: str) -> list[QueryResult]:
    """Interpret `program` (whose positions are in `source`); each result is planned and run
    as soon as its statement is evaluated, so a result that writes (`to()`) has written before
    the next statements read, even those that run a stream mid-script (`findRecord`...)."""
    import tsengine.stdlib  # noqa: F401  (registers the builtins)

    interp = Interpreter(REGISTRY, now=store.clock.now, source=source)
    interp.materialize = lambda node: execute(ExecContext(store, interp), optimize(node, ()))
    ctx = ExecContext(store, interp)
    results: list[QueryResult] = []

    def run_result(_stmt: ast.ExpressionStatement, value: object) -> None:
        if not isinstance(value, Stream):
            return
        node = value.node
        name = node.result if isinstance(node, Yield) else "_result"
        if any(name == r.name for r in results):
            raise FluxRuntimeError(f'tried to produce more than one result with the name "{name}"',
                                   *_position(node), source)
        _check_bounded(node, source)
        plan = optimize(node, ())
        results.append(QueryResult(name, execute(ctx, plan), plan))

    interp.on_result = run_result
    try:
        interp.run(program)
    except FluxRuntimeError as e:
        raise e.with_source(source) from None
    return results
