"""A pivot of fields into columns answered from storage's wide rows (see rules/push_pivot.py).

The wide rows of a measurement are that pivot already: one row per series and time, one
column per field. What remains is the plain plan's layout: columns `_start, _stop, _time`,
the key's tags and `_measurement` sorted, then the fields sorted; each series one table, its
rows in the order the plain pivot meets them (a row's first field, in field order, then time).
Series whose tables the plain plan would lay out another way (a tag or a whole field missing)
run the plain plan instead.
"""

from __future__ import annotations

import polars as pl

from storage import WideRead
from tsengine.execute import pertable
from tsengine.execute.aggregate_read import scan_wide, series_numbers
from tsengine.execute.executor import ExecContext, execute, implements
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream
from tsengine.plan.nodes import PlanNode, StoragePivot, StorageRead

_FIRST = "\0first"  # the index of a row's first field that has a value


@implements(StoragePivot)
def read_pivot(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, StoragePivot)
    wide = scan_wide(ctx, node.read)
    if len({w.measurement for w in wide}) != len(wide):  # a series' fields split across reads
        return execute(ctx, node.fallback)
    frames = []
    for w in wide:
        tf = _pivoted(ctx, node.read, w)
        if tf is None:
            return execute(ctx, node.fallback)
        if tf.frame.height:
            frames.append(tf)
    frames.sort(key=lambda tf: (tf.key, tf.frame.columns))
    return TableStream(frames)


def _pivoted(ctx: ExecContext, read: StorageRead, w: WideRead) -> TableFrame | None:
    """The measurement's tables, or None when the plain plan would lay some out differently."""
    tags, fields = sorted(w.tags), sorted(w.fields)
    key_columns = sorted([*tags, "_measurement"])
    if set(fields) & {"_start", "_stop", "_time", *key_columns}:
        return None  # the plain pivot's error (a field named like a key column)
    rows = w.frame.collect()
    if any(rows.get_column(t).null_count() for t in tags):
        return None  # series without some tag: tables of other columns
    values = [pl.col(f"f:{f}") for f in fields]
    gaps = [f for f in fields if rows.get_column(f"f:{f}").null_count()]
    if gaps:
        rows = rows.filter(pl.any_horizontal(v.is_not_null() for v in values))
    ctx.counts["points_read"] += sum(rows.height - rows.get_column(f"f:{f}").null_count()
                                     for f in fields)
    numbers = series_numbers(w, rows)
    contiguous = numbers is not None and \
        pertable.numbered_tables(rows, tags, numbers, distinct=w.one_file) is not None
    if gaps:
        if _some_series_lacks_a_field(rows, tags, fields):
            return None
        first = pl.coalesce(*(pl.when(v.is_not_null()).then(pl.lit(i, pl.Int32))
                              for i, v in enumerate(values)))
        rows = rows.with_columns(first.alias(_FIRST))
        order = [WideRead.SERIES_COLUMN, _FIRST] if contiguous else [*tags, _FIRST, "time"]
        rows = rows.sort(order, maintain_order=True)
    elif not contiguous:
        rows = rows.sort([*tags, "time"], maintain_order=True)
    frame = rows.select(
        pl.lit(read.start).cast(TIME_DTYPE).alias("_start"),
        pl.lit(read.stop).cast(TIME_DTYPE).alias("_stop"),
        pl.col("time").cast(TIME_DTYPE).alias("_time"),
        *(pl.lit(w.measurement, pl.String).alias(c) if c == "_measurement" else pl.col(c)
          for c in key_columns),
        *(pl.col(f"f:{f}").alias(f) for f in fields))
    starts = None
    if contiguous:  # a series' rows are one run: its table starts where its number changes
        starts = pertable.change_positions(rows.get_column(WideRead.SERIES_COLUMN)).tolist()
    return TableFrame(frame, ("_start", "_stop", *key_columns), starts=starts)


def _some_series_lacks_a_field(rows: pl.DataFrame, tags: list[str], fields: list[str]) -> bool:
    """Whether a series has no value of some field in the range: the plain pivot gives its
    table no such column, a schema of its own."""
    counts = pertable.aggregate(rows, tags, [pl.col(f"f:{f}").count().alias(f) for f in fields])
    return bool(counts.select(pl.any_horizontal(pl.col(f) == 0 for f in fields).any()).item())
