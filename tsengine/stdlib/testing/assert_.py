"""`testing.assertEquals(name:, got:, want:)` and `testing.assertEmpty(tables:)`: assertions that
fail the script with an error, their tables passing on.

assertEquals: the streams must have the same group keys and, per key, equal tables (the
comparison `testing.diff` makes); the error names the test, as upstream's (`test NAME: tables not
equal`), followed here by the diff. assertEmpty: every table must have no rows (`found N tables
that were not empty`). The test runner reports these errors as failures, not as errors.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.testing.diff import _identity, diff_tables
from tsengine.stdlib.testing.format import format_tables

# the prefixes of the errors an assertion raises: a test runner counts them as failures
ASSERTION_ERRORS = ("testing.assertEquals: ", "testing.assertEmpty: ", "testing.shouldError: ")


@dataclass(eq=False)
class AssertEquals(PlanNode):
    """`got`, once it is found equal to `want`."""

    got: PlanNode
    want: PlanNode
    test: str

    function: ClassVar[str] = "testing.assertEquals"

    @property
    def inputs(self) -> tuple[PlanNode, ...]:
        return (self.got, self.want)

    def with_inputs(self, inputs: tuple[PlanNode, ...]) -> PlanNode:
        return replace(self, got=inputs[0], want=inputs[1]) if inputs else self

    def describe(self) -> str:
        return f"AssertEquals(name={self.test!r})"


@dataclass(eq=False)
class AssertEmpty(PlanNode):
    """Its input, once every table is found empty."""

    input: PlanNode

    function: ClassVar[str] = "testing.assertEmpty"


@builtin("assertEquals", package="testing", pipe="got")
def assert_equals(ctx: CallContext, name: Any, got: Any, want: Any) -> Stream:
    if not isinstance(name, str):
        raise OperatorError(f"assertEquals(): name must be a string, found {type_name(name)}")
    got = require_stream("assertEquals", got)
    want = require_stream("assertEquals", want)
    return Stream(AssertEquals(got.node, want.node, name, span=ctx.span))


@builtin("assertEmpty", package="testing", pipe="tables")
def assert_empty(ctx: CallContext, tables: Any) -> Stream:
    tables = require_stream("assertEmpty", tables)
    return Stream(AssertEmpty(tables.node, span=ctx.span))


@implements(AssertEquals)
def run_assert_equals(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                      ) -> TableStream:
    assert isinstance(node, AssertEquals)
    got, want = inputs
    gots = {_identity(t) for t in got.tables()}
    wants = {_identity(t) for t in want.tables()}
    try:
        diffs = list(diff_tables(want, got))
    except OperatorError as e:
        raise ctx.error(node, f"test {node.test}: {e}") from None
    if gots != wants or diffs:
        what = "unequal group key sets" if gots != wants and not diffs else "tables not equal"
        shown = format_tables(TableStream(diffs).tables()) if diffs else ""
        raise ctx.error(node, f"test {node.test}: {what}" + (f"\n{shown}" if shown else ""))
    return got


@implements(AssertEmpty)
def run_assert_empty(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    full = [t for t in inputs[0].tables() if t.frame.height]
    if full:
        raise ctx.error(node, f"found {len(full)} tables that were not empty\n"
                        + format_tables(full))
    return inputs[0]
