"""`window(every:, period:, offset:, location:, timeColumn:, startColumn:, stopColumn:,
createEmpty:)`: split each table into tables of time windows.

Each row goes to every window holding its time (tsengine.execute.windows computes them for
the whole column at once). The output key is the input key plus `startColumn`/`stopColumn`
set to the window's bounds clipped to the query range; its columns are in table order (as
upstream builds it), the bound columns appended if the table lacks them. `createEmpty` adds an
empty table for every window of the range that got no rows. `every: inf` puts every row back
into one window, the range (how aggregateWindow un-windows); tables that then share a key
merge, the old tables one after another in their order. `location` (default: the `location`
option) steps windows on a named zone's wall clock, daylight-saving changes included, with its
`offset` moving the windows' zero; `timezone.fixed(offset:)` is UTC with an offset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import polars as pl

from tsengine.execute import windows
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import (
    RANK,
    TIME_DTYPE,
    TableFrame,
    TableStream,
    key_values,
    ranked,
)
from tsengine.execute.windows import INDEX, START, STOP, Bounds, WindowSpec
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import Duration, Record, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib import timezone
from tsengine.stdlib.common import merged_stream, require_stream

ZERO = Duration()
UTC = Record({"zone": "UTC", "offset": ZERO})
NIL_BOUNDS = "nil bounds passed to window; use range to set the window range"

REGISTRY.add(windows.INF, "inf")
REGISTRY.add(UTC, "location")  # universe's `option location = timezone.utc`


@dataclass(eq=False)
class Window(PlanNode):
    """Rows split into time windows (`spec`) over `time_column`."""

    input: PlanNode
    spec: WindowSpec
    time_column: str = "_time"
    start_column: str = "_start"
    stop_column: str = "_stop"
    create_empty: bool = False
    # aggregateWindow's plan fills windows without rows itself, vectorized, for tables that
    # have rows: createEmpty then only gives the empty windows of tables without rows
    empty_of_rowless_only: bool = False

    function: ClassVar[str] = "window"

    def describe(self) -> str:
        parts = [self.spec.describe()]
        if self.time_column != "_time":
            parts.append(f"timeColumn={self.time_column!r}")
        if (self.start_column, self.stop_column) != ("_start", "_stop"):
            parts.append(f"startColumn={self.start_column!r}, stopColumn={self.stop_column!r}")
        if self.create_empty:
            parts.append("createEmpty=true")
        return f"Window({', '.join(parts)})"


# -- arguments ----------------------------------------------------------------------------
def window_spec(function: str, interp: Any, every: Any, period: Any, offset: Any,
                location: Any) -> WindowSpec:
    """The window of `window()`'s duration arguments, checked as upstream checks them."""
    for name, value in (("every", every), ("period", period), ("offset", offset)):
        if not isinstance(value, Duration):
            raise OperatorError(f"{function}(): {name} must be a duration, "
                                f"found {type_name(value)}")
    if every.negative:
        raise OperatorError(f'{function}(): parameter "every" must be non-negative')
    if every.is_zero() and period.is_zero():
        raise OperatorError(f'{function}(): window function requires at least one of "every" '
                            f'or "period" to be set and non-zero')
    every, period = every if not every.is_zero() else period, period if not \
        period.is_zero() else every
    zone, shift = window_location(function, interp, location)
    spec = WindowSpec(every, period, offset, shift, zone)
    problem = spec.problem()
    if problem is not None:
        raise OperatorError(f"{function}(): {problem}")
    return spec


def window_location(function: str, interp: Any, location: Any) -> tuple[str | None, Duration]:
    """The zone (None for UTC) and fixed offset of a location record (the `location` option
    when not given), checked as upstream checks them; an unknown zone is an error."""
    if location is None:
        location = interp.options.lookup("location")
    if not isinstance(location, Record):
        raise OperatorError(f"{function}(): location must be a record, found "
                            f"{type_name(location)}")
    zone = location.get("zone")
    if zone is None:
        raise OperatorError(f"{function}(): zone property missing from location record")
    if not isinstance(zone, str):
        raise OperatorError(f"{function}(): zone property for location must be of type string, "
                            f"got {type_name(zone)}")
    offset = location.get("offset", ZERO)
    if not isinstance(offset, Duration):
        raise OperatorError(f"{function}(): offset property for location must be of type "
                            f"duration, got {type_name(offset)}")
    if zone in ("", "UTC"):
        return None, offset
    try:
        timezone.zone(zone)
    except OperatorError as e:
        raise OperatorError(f"{function}(): {e}") from None
    return zone, offset


def location_offset(function: str, interp: Any, location: Any) -> Duration:
    """The fixed offset of a location record, for functions that take only the UTC zone."""
    zone, offset = window_location(function, interp, location)
    if zone is not None:
        raise OperatorError(f'{function}(): location zone "{zone}" is not supported '
                            f"(only UTC, with a fixed offset)")
    return offset


def _string(function: str, name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise OperatorError(f"{function}(): {name} must be a string, found {type_name(value)}")
    return value


@builtin("window", pipe="tables")
def window(ctx: CallContext, tables: Any, every: Any = ZERO, period: Any = ZERO,
           offset: Any = ZERO, location: Any = None, timeColumn: Any = "_time",  # noqa: N803
           startColumn: Any = "_start", stopColumn: Any = "_stop",  # noqa: N803
           createEmpty: Any = False) -> Stream:  # noqa: N803
    tables = require_stream("window", tables)
    spec = window_spec("window", ctx.interp, every, period, offset, location)
    if not isinstance(createEmpty, bool):
        raise OperatorError(f"window(): createEmpty must be a bool, found {type_name(createEmpty)}")
    node = Window(tables.node, spec, _string("window", "timeColumn", timeColumn),
                  _string("window", "startColumn", startColumn),
                  _string("window", "stopColumn", stopColumn), createEmpty, span=ctx.span)
    return Stream(node)


def pushable(spec: WindowSpec) -> bool:
    """Whether InfluxDB's storage computes an aggregate over this window itself (its
    isPushableWindow): every == period, neither negative, UTC without offset (a named zone or
    a fixed offset keeps the windows in the query engine)."""
    return (spec.every == spec.period and not spec.every.negative and not spec.offset.negative
            and spec.zone is None and spec.location_offset.is_zero())


# -- execution ----------------------------------------------------------------------------
def query_bounds(ctx: ExecContext, node: PlanNode) -> Bounds:
    """The range the node's input tables were read over, or upstream's error without one."""
    bounds = windows.plan_bounds(node.inputs[0])
    if bounds is None:
        raise ctx.error(node, NIL_BOUNDS)
    return bounds


@implements(Window)
def run_window(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Window)
    bounds = query_bounds(ctx, node)
    frames = [tf for tf in inputs[0].frames if tf.frame.height or tf.empty]
    for tf in frames:
        if node.time_column not in tf.frame.columns:
            raise ctx.error(node, f'missing time column "{node.time_column}"')
        if not isinstance(tf.frame.schema[node.time_column], pl.Datetime):
            raise ctx.error(node, f'time column "{node.time_column}" is not of type time')
    if bounds[0] >= bounds[1]:
        return TableStream([])
    if _merge_across_frames(node, frames):
        frames = ranked(frames)  # tables of several frames merge: keep their canonical order
    out = [window_frame(node, tf, bounds) for tf in frames]
    return merged_stream(ctx, node, [tf for tf in out if tf is not None])


def output_key(node: Window, tf: TableFrame) -> tuple[str, ...]:
    """Key columns in table column order (as upstream builds the window's key), then the bound
    columns the table lacks."""
    bound_columns = (node.start_column, node.stop_column)
    key = [c for c in tf.frame.columns if c in tf.key or c in bound_columns]
    return (*key, *(c for c in bound_columns if c not in tf.frame.columns))


def window_frame(node: Window, tf: TableFrame, bounds: Bounds) -> TableFrame | None:
    """One frame's tables windowed (its rows in every window holding them)."""
    key = output_key(node, tf)
    frame = _in_merge_order(node, tf)
    time_ns = pl.col(node.time_column).dt.epoch("ns")
    rows = windows.assign(frame, time_ns, node.spec, bounds)
    columns = [*tf.frame.columns, *(c for c in (node.start_column, node.stop_column)
                                    if c not in tf.frame.columns)]
    if RANK in frame.columns:
        columns.append(RANK)
    empty: list[tuple[object, ...]] = []
    if node.create_empty:
        empty = _empty_windows(node, tf, rows, key, bounds)
    out = rows.with_columns(pl.col(START).cast(TIME_DTYPE).alias(node.start_column),
                            pl.col(STOP).cast(TIME_DTYPE).alias(node.stop_column)).select(columns)
    if not out.height and not empty:
        return None
    return TableFrame(out, key, empty)


def _in_merge_order(node: Window, tf: TableFrame) -> pl.DataFrame:
    """The frame's rows with the tables that will merge (they differ only in their old
    bounds) in their canonical order, so the merged table holds them one after another."""
    frame = tf.frame
    old = [c for c in (node.start_column, node.stop_column) if c in tf.key]
    if RANK in frame.columns or not old or frame.select(old).n_unique() <= 1:
        return frame
    return frame.sort(list(tf.key), nulls_last=False, maintain_order=True)


def _empty_windows(node: Window, tf: TableFrame, rows: pl.DataFrame, key: tuple[str, ...],
                   bounds: Bounds) -> list[tuple[object, ...]]:
    """Key values of the windows of the range that no row of an input table fell in."""
    from tsengine.stdlib.universe.aggregates import key_rows  # a helper shared with aggregates

    bound_columns = (node.start_column, node.stop_column)
    base = [k for k in key if k not in bound_columns]
    if base:
        tables = tf.frame.select(base)
        if tf.empty:
            tables = pl.concat([tables, key_rows(tf, tf.empty).select(base)], how="vertical")
        tables = tables.unique(maintain_order=True)
        if node.empty_of_rowless_only:  # the tables no row of which is in a window
            tables = tables.join(rows.select(base), on=base, how="anti", nulls_equal=True)
        if not tables.height:
            return []
    else:  # one table (its key only the bounds, if any)
        if node.empty_of_rowless_only and rows.height:
            return []
        tables = pl.DataFrame({"\0table": [0]})
        rows = rows.with_columns(pl.lit(0, pl.Int64).alias("\0table"))
        base = ["\0table"]
    present = rows.select([*base, INDEX]).unique()
    missing = (tables.join(windows.within(node.spec, bounds), how="cross")
               .join(present, on=[*base, INDEX], how="anti", nulls_equal=True))
    if not missing.height:
        return []
    missing = missing.with_columns(pl.col(START).cast(TIME_DTYPE).alias(node.start_column),
                                   pl.col(STOP).cast(TIME_DTYPE).alias(node.stop_column))
    return list(key_values(missing.select(key), key))


def _merge_across_frames(node: Window, frames: list[TableFrame]) -> bool:
    """Whether tables of two frames end up with one key (they then merge in table order)."""
    seen: dict[tuple[str, ...], list[pl.DataFrame]] = {}
    for tf in frames:
        key = output_key(node, tf)
        base = [k for k in key if k not in (node.start_column, node.stop_column)]
        values = tf.frame.select(base).unique()
        for other in seen.get(key, []):
            if values.join(other, on=base, how="semi", nulls_equal=True).height or not base:
                return True
        seen.setdefault(key, []).append(values)
    return False
