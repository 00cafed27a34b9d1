"""Package `csv`: `csv.from(csv:, mode:)`, annotated (or raw) CSV text as a source of tables.

The text is decoded when the plan runs (tsengine.stdlib.csv.decode). The source is not a
storage read: no planner rule pushes a range or filter into it, so those run in Flux over its
tables. `file:` is not supported (tsengine reads no files from scripts).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import merged_stream
from tsengine.stdlib.csv.decode import CsvError, decode


@dataclass(eq=False)
class CsvFrom(PlanNode):
    """The tables of an annotated CSV text (`raw`: plain CSV, all strings; `first_row_keys`:
    each table's rows take its first row's key values, for a diff's input)."""

    text: str
    raw: bool = False
    first_row_keys: bool = False

    function: ClassVar[str] = "csv.from"

    def describe(self) -> str:
        return f"CsvFrom({len(self.text)} characters{', raw' if self.raw else ''})"


@builtin("from", package="csv")
def from_(ctx: CallContext, csv: Any = None, file: Any = None,
          mode: Any = "annotations") -> Stream:
    for name, value in (("csv", csv), ("file", file), ("mode", mode)):
        if value is not None and not isinstance(value, str):
            raise OperatorError(f"csv.from(): {name} must be a string, found {type_name(value)}")
    if not csv and not file:
        raise OperatorError("csv.from(): must provide csv raw text or filename")
    if csv and file:
        raise OperatorError("csv.from(): must provide exactly one of the parameters csv or file")
    if file:
        raise OperatorError("csv.from(): file is not supported: tsengine reads no files from "
                            "scripts (pass the text as csv)")
    return Stream(CsvFrom(csv, mode == "raw", span=ctx.span))


@implements(CsvFrom)
def run_csv_from(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    """Decode the text; blocks whose tables share a key merge, as everywhere in tsengine."""
    assert isinstance(node, CsvFrom)
    try:
        stream = decode(node.text, raw=node.raw, first_row_keys=node.first_row_keys)
    except CsvError as e:
        raise ctx.error(node, str(e)) from None
    return merged_stream(ctx, node, stream.frames)
