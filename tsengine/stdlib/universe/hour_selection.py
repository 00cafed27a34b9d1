"""`hourSelection(start:, stop:, location:, timeColumn:)`: the rows whose time falls between two
hours of the day, both included.

As upstream's hour_selection.go: the hour is read on the local clock of `location` (the
`location` option when not given; a named zone follows its daylight-saving rules), plus the
location's offset. `start > stop` wraps past midnight (22 to 6). Rows with a null time go.
Whole rows are kept; the key stays; tables left without rows stay as empty tables. A start or
stop outside 0..23 is an error when a table is processed, as upstream checks it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TableFrame, TableStream, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, Record, type_name
from tsengine.plan.nodes import PlanNode, Stream
from tsengine.stdlib.common import require_stream


@dataclass(eq=False)
class HourSelection(PlanNode):
    """Rows whose local hour is within [start, stop] (wrapping when start > stop)."""

    function: ClassVar[str] = "hourSelection"

    input: PlanNode
    start: int
    stop: int
    zone: str = "UTC"
    offset_ns: int = 0
    time_column: str = "_time"


def location_of(function: str, interp: Any, location: Any) -> tuple[str, Duration]:
    """The zone name and offset of a location record (the `location` option when not given)."""
    if location is None:
        location = interp.options.lookup("location")
    if not isinstance(location, Record):
        raise OperatorError(f"{function}(): location must be a record, found "
                            f"{type_name(location)}")
    if "zone" not in location:
        raise OperatorError(f"{function}(): zone property missing from location record")
    zone, offset = location["zone"], location.get("offset", Duration())
    if zone is not None and not isinstance(zone, str):
        raise OperatorError(f"{function}(): zone property for location must be of type string, "
                            f"got {type_name(zone)}")
    if not isinstance(offset, Duration):
        raise OperatorError(f"{function}(): offset property for location must be of type "
                            f"duration, got {type_name(offset)}")
    zone = zone or "UTC"
    if zone != "UTC":
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise OperatorError(f"{function}(): invalid location {zone!r}") from None
    return zone, offset


@builtin("hourSelection", pipe="tables")
def hour_selection(ctx: CallContext, tables: Any, start: Any, stop: Any, location: Any = None,
                   timeColumn: Any = "_time") -> Stream:  # noqa: N803
    tables = require_stream("hourSelection", tables)
    for name, value in (("start", start), ("stop", stop)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise OperatorError(f"hourSelection(): {name} must be an int, found "
                                f"{type_name(value)}")
    if not isinstance(timeColumn, str):
        raise OperatorError("hourSelection(): timeColumn must be a string")
    zone, offset = location_of("hourSelection", ctx.interp, location)
    if offset.months:
        raise OperatorError("hourSelection(): a location offset in months is not supported")
    return Stream(HourSelection(tables.node, start, stop, zone, offset.nanoseconds, timeColumn,
                                span=ctx.span))


@implements(HourSelection)
def run_hour_selection(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]
                       ) -> TableStream:
    assert isinstance(node, HourSelection)
    out = []
    for tf in inputs[0].frames:
        if node.time_column not in tf.frame.columns:
            raise ctx.error(node, "invalid time column")
        if not 0 <= node.start <= 23:
            raise ctx.error(node, "start must be between 0 and 23")
        if not 0 <= node.stop <= 23:
            raise ctx.error(node, "stop must be between 0 and 23")
        frame = tf.frame.filter(_selected(node, _local_hour(node, pl.col(node.time_column))))
        empty = list(tf.empty)
        if tf.key and frame.height < tf.frame.height:
            empty += sorted(key_values(tf.frame, tf.key) - key_values(frame, tf.key), key=repr)
        elif not tf.key and not frame.height and tf.frame.height:
            empty.append(())
        out.append(TableFrame(frame, tf.key, empty))
    return TableStream(out)


def _local_hour(node: HourSelection, time: pl.Expr) -> pl.Expr:
    """The hour on the location's clock, its offset added."""
    if node.zone != "UTC":
        time = time.dt.convert_time_zone(node.zone).dt.replace_time_zone(None)
    if node.offset_ns:
        time = time + pl.duration(nanoseconds=node.offset_ns)
    return time.dt.hour().cast(pl.Int64)


def _selected(node: HourSelection, hour: pl.Expr) -> pl.Expr:
    start, stop = node.start, node.stop
    within = (hour >= start) & (hour <= stop)
    if start > stop:
        within = within | (hour >= start) | (hour <= stop)
    return within.fill_null(False)
