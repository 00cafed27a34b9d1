"""Plan nodes: what a Flux pipeline computes, built lazily so the planner can rewrite it.

Calling `from`, `range`, `filter`... in a script builds nodes; nothing reads data until the
script's results are planned and executed. Each stdlib function defines its node next to its
implementation; the nodes every rule needs to know live here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any, ClassVar

from storage import Predicate, format_time
from storage.predicate import And, Compare, In, Not, Or, Regex
from tsengine.flux import ast
from tsengine.flux.values import format_duration


@dataclass(eq=False)
class PlanNode:
    """A step of a query plan; `inputs` are the nodes whose tables it consumes."""

    span: ast.Span | None = field(default=None, kw_only=True, repr=False)
    function: ClassVar[str] = ""  # the Flux function errors name

    @property
    def inputs(self) -> tuple[PlanNode, ...]:
        node = getattr(self, "input", None)
        return (node,) if isinstance(node, PlanNode) else ()

    def with_inputs(self, inputs: tuple[PlanNode, ...]) -> PlanNode:
        """The same node over other inputs."""
        if not inputs:
            return self
        return dataclasses.replace(self, input=inputs[0])  # type: ignore[call-arg]

    @property
    def name(self) -> str:
        return type(self).__name__

    def describe(self) -> str:
        """One line for `--explain`: the node and its arguments."""
        args = [f"{f.name}={_show(getattr(self, f.name))}" for f in dataclasses.fields(self)
                if f.name not in ("input", "span")]
        return f"{self.name}({', '.join(args)})"


def _show(value: Any) -> str:
    if hasattr(value, "node") and hasattr(value.node, "span"):
        return "<function>"
    return repr(value)


@dataclass(eq=False)
class From(PlanNode):
    """`from(bucket:)`: every point of a bucket, unbounded until a range bounds it."""

    function: ClassVar[str] = "from"

    bucket: str
    org: str | None = None


@dataclass(eq=False)
class Range(PlanNode):
    """`range(start:, stop:)`: rows with start <= _time < stop, and _start/_stop added."""

    function: ClassVar[str] = "range"

    input: PlanNode
    start: int
    stop: int

    def describe(self) -> str:
        return f"Range(start={format_time(self.start)}, stop={format_time(self.stop)})"


@dataclass(eq=False)
class StorageRead(PlanNode):
    """One storage scan: the time range, pushed predicates and the columns needed.

    `keep`/`drop` is a column list absorbed from a `keep`/`drop` on the read (its span in
    `projection_span`, for its errors); `omit` are dropped columns the read never materializes
    (see prune_columns). A projected read is no longer `from |> range` as InfluxDB sees it:
    rules must not push anything that sits above it into it.
    """

    function: ClassVar[str] = "from"

    bucket: str
    org: str | None
    start: int
    stop: int
    predicate: Predicate | None = None
    columns: tuple[str, ...] | None = None
    missing_tag: str | None = None  # "" once a filter is pushed: InfluxDB's storage semantics
    keep: tuple[str, ...] | None = None
    drop: tuple[str, ...] | None = None
    omit: tuple[str, ...] = ()
    projection_span: ast.Span | None = field(default=None, repr=False)

    @property
    def projected(self) -> bool:
        """Whether a keep/drop was absorbed (nothing above may be pushed in any more)."""
        return self.keep is not None or self.drop is not None

    def describe(self) -> str:
        parts = [f"bucket={self.bucket!r}", f"start={format_time(self.start)}",
                 f"stop={format_time(self.stop)}"]
        if self.predicate is not None:
            parts.append(f"predicate={describe_predicate(self.predicate)}")
        if self.columns is not None:
            parts.append(f"columns={list(self.columns)}")
        if self.keep is not None:
            parts.append(f"keep={list(self.keep)}")
        if self.drop is not None:
            parts.append(f"drop={list(self.drop)}")
        if self.omit:
            parts.append(f"omit={list(self.omit)}")
        return f"StorageRead({', '.join(parts)})"


@dataclass(eq=False)
class StorageAggregate(PlanNode):
    """A bare aggregate or selector computed inside a storage read (InfluxDB pushes these too).

    `fallback` is the same computation unpushed, run when the data holds a type the storage
    aggregate does not take (so the error is the plain plan's).
    """

    read: StorageRead
    fn: str
    fallback: PlanNode = field(repr=False)

    @property
    def function(self) -> str:  # type: ignore[override]
        return self.fn

    def describe(self) -> str:
        return f"StorageAggregate(fn={self.fn}, {self.read.describe()})"


@dataclass(eq=False)
class StorageWindowAggregate(PlanNode):
    """`aggregateWindow` with count, sum or mean computed inside a storage read, on the stored
    wide rows (InfluxDB's storage computes these windows too); `window` is the
    AggregateWindowNative node it stands for, `fallback` the same computation unpushed."""

    read: StorageRead
    window: PlanNode
    fallback: PlanNode = field(repr=False)

    function: ClassVar[str] = "aggregateWindow"

    def describe(self) -> str:
        w: Any = self.window
        return (f"StorageWindowAggregate(fn={w.fn}, every={format_duration(w.spec.every)}, "
                f"{self.read.describe()})")


@dataclass(eq=False)
class StorageGroupWindow(PlanNode):
    """`group(columns: tags) |> aggregateWindow(fn: count|sum|mean)` on a storage read,
    computed from the stored wide rows: `window` is the AggregateWindowNative node, `columns`
    the group's tags, `fallback` the same computation unpushed."""

    read: StorageRead
    columns: tuple[str, ...]
    window: PlanNode
    fallback: PlanNode = field(repr=False)

    function: ClassVar[str] = "aggregateWindow"

    def describe(self) -> str:
        w: Any = self.window
        return (f"StorageGroupWindow(columns={list(self.columns)}, fn={w.fn}, "
                f"every={format_duration(w.spec.every)}, {self.read.describe()})")


@dataclass(eq=False)
class StoragePivot(PlanNode):
    """`pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")` on a storage
    read, answered from the stored wide rows (which are that pivot already); `fallback` is
    the same computation unpushed, run for data the wide rows cannot answer exactly."""

    read: StorageRead
    fallback: PlanNode = field(repr=False)

    function: ClassVar[str] = "pivot"

    def describe(self) -> str:
        return f"StoragePivot({self.read.describe()})"


@dataclass(eq=False)
class Yield(PlanNode):
    """`yield(name:)`: names a result; its tables pass through."""

    function: ClassVar[str] = "yield"

    input: PlanNode
    result: str = "_result"


class Stream:
    """A Flux stream value: the plan that will produce it."""

    flux_type_name = "stream"

    def __init__(self, node: PlanNode) -> None:
        self.node = node

    def __repr__(self) -> str:
        return f"<stream {self.node.describe()}>"


def describe_predicate(pred: Predicate) -> str:
    """A storage predicate in Flux-like notation, for `--explain`."""
    if isinstance(pred, Compare):
        return f"{pred.column} {pred.op} {pred.value!r}"
    if isinstance(pred, Regex):
        return f"{pred.column} {'!~' if pred.negate else '=~'} /{pred.pattern}/"
    if isinstance(pred, In):
        return f"{pred.column} {'not in' if pred.negate else 'in'} {list(pred.values)}"
    if isinstance(pred, Not):
        return f"not ({describe_predicate(pred.item)})"
    if isinstance(pred, And | Or):
        word = " and " if isinstance(pred, And) else " or "
        return "(" + word.join(describe_predicate(p) for p in pred.items) + ")"
    return repr(pred)
