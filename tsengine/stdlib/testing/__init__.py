"""Package `testing`: what upstream's `*_test.flux` files use to check a query's output.

- `diff(got:, want:, verbose:, epsilon:, nansEqual:)` (testing/diff.py): the `_diff` tables,
  yielded as `errorOutput`; a test fails when that result has rows.
- `assertEquals(name:, got:, want:)`, `assertEmpty(tables:)` (testing/assert_.py): errors.
- `assertEqualValues(got:, want:)`: two values compared as one-row tables `{v: value}`.
- `shouldError(fn:, want:)`: `fn()` must fail with a message matching the regex `want`; a
  stream `fn` returns is run, so a failure while the query runs counts too. A message that does
  not match is an `errorOutput` row `{v: message}`; no error at all fails the test.
- `option load = (tables=<-) => tables`: how a test's input reaches the query (overridable).
- `option tags = []`: upstream's test tags (read by nobody here).

Also `experimental.catch(fn:)`, which shouldError stands on: `{value, code, msg}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.errors import FluxError
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream
from tsengine.flux.functions import Builtin, CallContext, Closure
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import Array, Record, Regex, UInt, type_name
from tsengine.plan.nodes import PlanNode, Stream, Yield
from tsengine.stdlib.array import ArrayFrom, rows_frame
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.testing.diff import ERROR_OUTPUT, Diff

# upstream's error code of a failed call (codes.Invalid), what catch reports for any error
_INVALID = 3


@dataclass(eq=False)
class Fixed(PlanNode):
    """A stream known while the script is evaluated (shouldError's verdict)."""

    stream: TableStream

    function: ClassVar[str] = "testing.shouldError"

    def describe(self) -> str:
        return "Fixed()"


@implements(Fixed)
def run_fixed(_ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Fixed)
    return node.stream


@builtin("load", package="testing", pipe="tables")
def load(ctx: CallContext, tables: Any) -> Stream:
    return require_stream("load", tables)


REGISTRY.add(Array([]), "tags", package="testing")


@builtin("catch", package="experimental")
def catch(ctx: CallContext, fn: Any) -> Record:
    if not isinstance(fn, Closure | Builtin):
        raise OperatorError(f"catch(): fn must be a function, found {type_name(fn)}")
    value, message = _outcome(ctx, fn, run_streams=False)
    if message is None:
        return Record({"value": value, "code": None, "msg": None})
    return Record({"value": None, "code": UInt(_INVALID), "msg": message})


@builtin("assertEqualValues", package="testing")
def assert_equal_values(ctx: CallContext, got: Any, want: Any) -> Stream:
    """`diff` of the values as one-row tables `{v: value}` (upstream writes it in Flux)."""
    tables = [ArrayFrom((Record({"v": value}),), span=ctx.span) for value in (want, got)]
    for table in tables:
        rows_frame(table.rows)  # a value no column can hold is the call's error
    diff = Diff(tables[0], tables[1], span=ctx.span)
    return Stream(Yield(diff, ERROR_OUTPUT, span=ctx.span))


@builtin("shouldError", package="testing")
def should_error(ctx: CallContext, fn: Any, want: Any) -> Stream:
    if not isinstance(fn, Closure | Builtin):
        raise OperatorError(f"shouldError(): fn must be a function, found {type_name(fn)}")
    if not isinstance(want, Regex):
        raise OperatorError(f"shouldError(): want must be a regex, found {type_name(want)}")
    _, message = _outcome(ctx, fn, run_streams=True)
    if message is None:
        raise OperatorError("testing.shouldError: shouldError expected an error")
    frame = pl.DataFrame({"v": [message]}, schema={"v": pl.String})
    if want.compiled.search(message):
        frame = frame.head(0)
    fixed = Fixed(TableStream([TableFrame(frame, ())]), span=ctx.span)
    return Stream(Yield(fixed, ERROR_OUTPUT, span=ctx.span))


def _outcome(ctx: CallContext, fn: Closure | Builtin, run_streams: bool
             ) -> tuple[Any, str | None]:
    """`fn()`'s value, or the message of the error calling it raises (with `run_streams`,
    running the stream it returns too)."""
    try:
        value = ctx.interp.call(fn, {}, _site(ctx, fn))
        if run_streams and isinstance(value, Stream) and ctx.interp.materialize is not None:
            ctx.interp.materialize(value.node)
    except FluxError as e:
        return None, e.message
    except OperatorError as e:
        return None, str(e)
    return value, None


def _site(ctx: CallContext, fn: Closure | Builtin) -> Any:
    return fn.node if isinstance(fn, Closure) else _Spanned(ctx)


class _Spanned:
    """A stand-in call site for a builtin called with no arguments."""

    def __init__(self, ctx: CallContext) -> None:
        self.span = ctx.span
