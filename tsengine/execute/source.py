"""`from |> range` as InfluxDB's storage answers it: one table per series and field.

Columns `_start, _stop, _time, _value`, then the series' tags with `_field` and `_measurement`,
sorted bytewise; group key `_start, _stop` and those tags. A series has columns only for the
tags it has, so series with different tag sets land in different frames, as do fields of
different types.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import polars as pl

from storage import BucketNotFound, FieldType
from tsengine.execute.executor import ExecContext, implements
from tsengine.execute.pertable import run_starts, runs_are_tables
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.plan.nodes import From, PlanNode, StorageRead
from tsengine.stdlib.universe.keep import absorbed, run_keep_drop

_ROW = ("_time", "_value")
_CORE_TAGS = ("_field", "_measurement")  # always present, so never split frames


def stream_from_scan(frames: dict[FieldType, pl.LazyFrame], start: int | None = None,
                     stop: int | None = None) -> TableStream:
    """Turn a storage scan (long frames per value type) into Flux tables.

    With bounds (a ranged read), `_start`/`_stop` lead the columns and the key; without (an
    unbounded `from`, run only when pushdown is off), they are absent until `range` adds them.
    A column the scan left out (a pruned read's `omit`) is simply absent.
    """
    out: list[TableFrame] = []
    bounds = [] if start is None or stop is None else [
        pl.lit(start).cast(TIME_DTYPE).alias("_start"),
        pl.lit(stop).cast(TIME_DTYPE).alias("_stop")]
    bound_key = ("_start", "_stop") if bounds else ()
    for frame in (lf.collect() for lf in frames.values()):
        if frame.height == 0:
            continue
        row = [c for c in _ROW if c in frame.columns]
        core = [c for c in _CORE_TAGS if c in frame.columns]
        tags = [c for c in frame.columns if c not in _ROW and c not in _CORE_TAGS]
        patterns = _presence_patterns(frame, tags)
        for pattern in patterns:
            present = [t for t, has in zip(tags, pattern, strict=True) if has]
            part = frame
            if len(patterns) > 1:
                part = frame.filter(pl.all_horizontal(
                    pl.col(t).is_not_null() == has for t, has in zip(tags, pattern, strict=True)))
            key_tags = sorted([*present, *core])
            part = part.select(*bounds, *row, *key_tags)
            starts = _table_starts(part, key_tags)
            if starts is None:
                part = part.sort([*key_tags, "_time"])
            out.append(TableFrame(part, (*bound_key, *key_tags), starts=starts))
    # frames in an order that does not depend on what else the scan read (so a pushed
    # predicate cannot change how later merges stack them): by key columns, then value type
    out.sort(key=lambda tf: (tf.key, str(tf.frame.schema.get("_value"))))
    return TableStream(out)


def _table_starts(frame: pl.DataFrame, key: list[str]) -> list[int] | None:
    """Where each table's rows start when rows are already in table order (keys ascending,
    time ascending within each), else None. Parquet partitions store series in that order,
    so a read of one day usually is; the starts spare tables() finding them again."""
    if "_time" not in frame.columns or frame.height < 2:
        return None if frame.height >= 2 else [0] * frame.height
    if not key:
        return [0] if frame.get_column("_time").is_sorted() else None
    new = run_starts(frame, key)
    if not runs_are_tables(frame, key, new):
        return None
    firsts = frame.select(key).filter(new)
    if not firsts.equals(firsts.sort(key, nulls_last=False)):
        return None
    back = frame.select(pl.col("_time").diff() < 0).to_series()
    return None if (back & ~new).any() else new.arg_true().to_list()


def _presence_patterns(frame: pl.DataFrame, tags: list[str]) -> list[tuple[bool, ...]]:
    """Which tags are present, per distinct combination in the frame (one schema each)."""
    if not any(frame[t].null_count() for t in tags):
        return [(True,) * len(tags)]
    presence = frame.select(pl.col(t).is_not_null() for t in tags)
    return presence.unique(maintain_order=True).rows()


@contextmanager
def reading(ctx: ExecContext, node: PlanNode, bucket: str) -> Iterator[None]:
    """A storage read of `bucket`: a bucket that does not exist is the read's error."""
    try:
        yield
    except BucketNotFound:
        raise ctx.error(node, f'could not find bucket "{bucket}"') from None


@implements(StorageRead)
def read_storage(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    """A storage scan with what the planner pushed into it, then the keep/drop it absorbed.

    Columns in `omit` are projected out of the scan's lazy frames before they are collected,
    so they are never materialized: omitted tags hold one value on every row read, and points
    without the field are filtered out before `_value` goes, so the rows, their order and the
    frames are those of the full read.
    """
    assert isinstance(node, StorageRead)
    with reading(ctx, node, node.bucket):
        frames = ctx.store.scan(node.bucket, node.start, node.stop, node.predicate,
                                node.columns, node.org, node.missing_tag)
    if node.omit:
        frames = {t: lf.drop(node.omit, strict=False) for t, lf in frames.items()}
    stream = stream_from_scan(frames, node.start, node.stop)
    ctx.counts["points_read"] += sum(tf.frame.height for tf in stream.frames)
    if not node.projected:
        return stream
    keep_drop = absorbed(node)
    return run_keep_drop(ctx, keep_drop, [stream])


@implements(From)
def read_unbounded(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    """`from` not merged with its range (pushdown off): the whole bucket, then range in Flux."""
    assert isinstance(node, From)
    with reading(ctx, node, node.bucket):
        frames = ctx.store.scan(node.bucket, org=node.org)
    stream = stream_from_scan(frames)
    ctx.counts["points_read"] += sum(tf.frame.height for tf in stream.frames)
    return stream
