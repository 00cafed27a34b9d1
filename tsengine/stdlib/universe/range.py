"""`range(start:, stop:)`: keep rows with start <= _time < stop and add the bounds as `_start`
and `_stop`, leading the columns and the group key (or narrowing existing ones)."""

from __future__ import annotations

from typing import Any

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, Time, type_name
from tsengine.plan.nodes import PlanNode, Range, Stream
from tsengine.stdlib.common import require_stream

SECOND = 1_000_000_000


def to_time(value: Any, now: Time, what: str) -> int:
    """A range bound: a time, a duration relative to now(), or an int of Unix seconds."""
    if isinstance(value, Time):
        return value.ns
    if isinstance(value, Duration):
        return now.ns + value.approx_ns()  # months flattened, as InfluxDB's range does
    if isinstance(value, int) and not isinstance(value, bool):
        return value * SECOND
    raise OperatorError(f"range(): {what} must be a time, a duration or an int, "
                        f"found {type_name(value)}")


@builtin("range", pipe="tables")
def range_(ctx: CallContext, tables: Any, start: Any, stop: Any = None) -> Stream:
    tables = require_stream("range", tables)
    now = ctx.interp.now()
    lo = to_time(start, now, "start")
    hi = now.ns if stop is None else to_time(stop, now, "stop")
    if lo >= hi:
        raise OperatorError("range(): cannot query an empty range (start must be before stop)")
    return Stream(Range(tables.node, lo, hi, span=ctx.span))


@implements(Range)
def run_range(ctx: ExecContext, node: PlanNode, inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, Range)
    out = []
    for tf in inputs[0].frames:
        if "_time" not in tf.frame.columns:
            raise ctx.error(node, 'missing time column "_time"')
        frame, key = tf.frame, tf.key
        lo, hi = node.start, node.stop
        if "_start" in key and "_stop" in key and frame.height:
            # a second range narrows the first
            lo = max(lo, frame["_start"].dt.epoch("ns").max())  # type: ignore[type-var]
            hi = min(hi, frame["_stop"].dt.epoch("ns").min())  # type: ignore[type-var]
        t = pl.col("_time").dt.epoch("ns")
        frame = frame.filter((t >= lo) & (t < hi))
        bounds = [pl.lit(lo).cast(TIME_DTYPE).alias("_start"),
                  pl.lit(hi).cast(TIME_DTYPE).alias("_stop")]
        rest = [c for c in frame.columns if c not in ("_start", "_stop")]
        frame = frame.select(*bounds, *rest)
        key = ("_start", "_stop", *(k for k in key if k not in ("_start", "_stop")))
        if frame.height:  # as from storage: a series with nothing in range has no table
            out.append(TableFrame(frame, key))
    return TableStream(out)
