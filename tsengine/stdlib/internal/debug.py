"""Package `internal/debug`: upstream's hooks into how a query executes, which its test files
use to defeat the planner or force nulls.

- `pass`, `opaque`, `slurp`: their tables pass on unchanged (upstream they block planner
  rewrites or buffer a whole table; tsengine's answer is the same either way).
- `sink`: its input is run and nothing comes out (an empty stream).
- `null(type:)`: a null of a basic type: a record holding it keeps the type for the column
  built from it (tsengine/flux/null_types.py).
- `getOption(pkg:, name:)`: the value of a package's option in this run.
- `feature(key:)`: a feature flag's value; tsengine has none, so null.
- `option vectorize = false`: accepted, read by nobody.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream

_PACKAGE = "internal/debug"
_NULL_TYPES = ("string", "bytes", "int", "uint", "float", "bool", "time", "duration", "regexp")


@dataclass(eq=False)
class Sink(PlanNode):
    """Runs its input; no tables come out."""

    input: PlanNode

    function: ClassVar[str] = "debug.sink"


@implements(Sink)
def run_sink(_ctx: ExecContext, _node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    return TableStream([])


def _pass_through(name: str) -> None:
    def impl(ctx: CallContext, tables: Any) -> Stream:
        return require_stream(name, tables)

    impl.__name__ = name
    builtin(name, package=_PACKAGE, pipe="tables")(impl)


for _name in ("pass", "opaque", "slurp"):
    _pass_through(_name)


@builtin("sink", package=_PACKAGE, pipe="tables")
def sink(ctx: CallContext, tables: Any) -> Stream:
    return Stream(Sink(require_stream("sink", tables).node, span=ctx.span))


@builtin("null", package=_PACKAGE)
def null(ctx: CallContext, type: Any = None) -> None:  # noqa: A002 (upstream's name)
    if type is not None and type not in _NULL_TYPES:
        raise OperatorError(f"Invalid null type `{type}`")
    return None


@builtin("getOption", package=_PACKAGE)
def get_option(ctx: CallContext, pkg: Any, name: Any) -> Any:
    if not isinstance(pkg, str) or not isinstance(name, str):
        raise OperatorError(f"getOption(): pkg and name must be strings, found "
                            f"{type_name(pkg)} and {type_name(name)}")
    if pkg not in REGISTRY.packages or name not in REGISTRY.packages[pkg]:
        raise OperatorError(f'getOption(): package "{pkg}" has no option {name!r}')
    return ctx.interp.package_option(pkg, name)


@builtin("feature", package=_PACKAGE)
def feature(ctx: CallContext, key: Any) -> None:
    if not isinstance(key, str):
        raise OperatorError(f"feature(): key must be a string, found {type_name(key)}")
    return None


REGISTRY.add(False, "vectorize", package=_PACKAGE)
