"""`range(start:, stop:)`: keep rows with start <= _time < stop and add the bounds as `_start`
and `_stop`, leading the columns and the group key (or narrowing existing ones).

A table left without rows stays, empty, as in upstream's transformation; a storage read (range
on `from`) has no table for a series with nothing in range, as InfluxDB's storage gives none.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream, key_values
from tsengine.flux.functions import CallContext
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import builtin
from tsengine.flux.values import Duration, Time, type_name
from tsengine.plan.nodes import From, PlanNode, Range, Stream
from tsengine.stdlib.common import require_stream
from tsengine.stdlib.universe.aggregates import key_rows

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
    """Rows in [start, stop), with the bounds set; every input table stays (empty or not),
    except under a storage read, which has no table for a series with nothing in range."""
    assert isinstance(node, Range)
    from_storage = isinstance(node.input, From)
    out = []
    for tf in inputs[0].frames:
        if "_time" not in tf.frame.columns:
            raise ctx.error(node, 'missing time column "_time"')
        key = _range_key(tf.key)
        bounded = _with_bounds(node, tf.frame, tf.key)
        t = pl.col("_time").dt.epoch("ns")
        frame = bounded.filter((t >= node.start) & (t < node.stop))
        empty = [] if from_storage else _empty_tables(node, tf, bounded, frame, key)
        if frame.height or empty:
            out.append(TableFrame(frame, key, empty))
    return TableStream(out)


def _range_key(key: tuple[str, ...]) -> tuple[str, ...]:
    """Upstream's output key: `_start`/`_stop` missing from the key lead it."""
    return (*(c for c in ("_start", "_stop") if c not in key), *key)


def _with_bounds(node: Range, frame: pl.DataFrame, key: tuple[str, ...]) -> pl.DataFrame:
    """`_start`/`_stop` set per row (added first when absent, in place otherwise).

    With both in the key, a table's bounds are the intersection of its own and the range's
    when they overlap, the range's otherwise (as upstream's createRangeGroupKey); a bound
    alone in the key keeps its value.
    """
    lo, hi = node.start, node.stop
    s, e = pl.col("_start").dt.epoch("ns"), pl.col("_stop").dt.epoch("ns")
    start, stop = pl.lit(lo), pl.lit(hi)
    if "_start" in key and "_stop" in key:
        inside = ((s >= lo) & (s < hi)) | ((e >= lo) & (e < hi) & (e > lo)) | ((s <= lo) & (e > lo))
        overlaps = inside.fill_null(False)
        start = pl.when(overlaps).then(pl.max_horizontal(s, pl.lit(lo))).otherwise(pl.lit(lo))
        stop = pl.when(overlaps).then(pl.min_horizontal(e, pl.lit(hi))).otherwise(pl.lit(hi))
    elif "_start" in key:
        start = s
    elif "_stop" in key:
        stop = e
    bounds = [start.cast(TIME_DTYPE).alias("_start"), stop.cast(TIME_DTYPE).alias("_stop")]
    added = [c for c in ("_start", "_stop") if c not in frame.columns]
    return frame.with_columns(bounds).select(*added, *(c for c in frame.columns))


def _empty_tables(node: Range, tf: TableFrame, bounded: pl.DataFrame, kept: pl.DataFrame,
                  key: tuple[str, ...]) -> list[tuple[object, ...]]:
    """Key values of the tables left without rows: those whose rows all fell outside the range
    and those that had none, with their new bounds."""
    gone = key_values(bounded, key) - key_values(kept, key)
    if tf.empty:
        gone |= key_values(_with_bounds(node, key_rows(tf, tf.empty), tf.key), key)
    return sorted(gone, key=repr)
