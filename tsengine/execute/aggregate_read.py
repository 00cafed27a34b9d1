"""Aggregates computed inside the storage read, as InfluxDB's storage answers a bare
`count|sum|mean|first|last|min|max` on `from |> range |> filter`.

The aggregate runs on the wide rows of each measurement (one group_by over the series' tags,
every field aggregated at once), before any reshaping to one row per field value: far less
work than reshaping first. Each field's result becomes the one row of its series' table, laid
out exactly as the plain plan lays it out; a field type the function does not take runs the
plain plan instead, which gives its error.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import polars as pl

from storage import FieldType, WideRead
from tsengine.execute import pertable
from tsengine.execute.executor import ExecContext, execute, implements
from tsengine.execute.source import reading, stream_from_scan
from tsengine.execute.table import TIME_DTYPE, TableFrame, TableStream, concat_disjoint
from tsengine.plan.nodes import PlanNode, StorageAggregate, StorageRead, StorageWindowAggregate

NUMERIC = {FieldType.FLOAT, FieldType.INTEGER, FieldType.UNSIGNED}
ACCEPTS: dict[str, set[FieldType]] = {
    "count": set(FieldType), "sum": NUMERIC, "mean": NUMERIC,
    "first": set(FieldType), "last": set(FieldType), "min": NUMERIC, "max": NUMERIC,
}
SELECTORS = ("first", "last", "min", "max")
BATCH_ROWS = 500_000  # rows a read's batch holds (_picked_in_batches, run_batches)


def _aggregate(fn: str, value: pl.Expr, time: pl.Expr) -> tuple[pl.Expr, pl.Expr | None]:
    """The value (and, for selectors, the time of the chosen row) of one field in a group.

    A null cell is a point without that field, which the long shape would not have, so
    every expression skips nulls. Selectors choose by time, not by row position, so the rows'
    order does not matter: ties of min/max go to the earliest point, as in time order.
    """
    present = value.is_not_null()
    if fn == "count":
        return value.count().cast(pl.Int64), None
    # a running sum in time order (a null cell adds 0): storage's loop adds the values one
    # after another, as the plain plan does with its rows in time order; Polars' sum() would
    # add them in another order, which can change a float's last digit
    total = value.sort_by(time).fill_null(0).cum_sum().last()
    if fn == "sum":
        return total, None
    if fn == "mean":
        return total.cast(pl.Float64) / value.count(), None
    # the chosen point's time, then its value (one point per series and time)
    candidates = {"first": present, "last": present,
                  "min": value == value.min(), "max": value == value.max()}[fn]
    chosen = pl.when(candidates).then(time)
    at = chosen.max() if fn == "last" else chosen.min()
    index = chosen.arg_max() if fn == "last" else chosen.arg_min()
    return value.get(index), at


def _rows(ctx: ExecContext, read: WideRead, fn: str, start: int
          ) -> dict[pl.DataType, list[pl.DataFrame]]:
    """One long-shaped row per series and field: `_time, _measurement, _field, _value, tags`."""
    if fn in ("first", "last") and read.numbered:
        picked = _picked_in_batches(ctx, read, fn)
        if picked is not None:
            return picked
    rows = read.frame.collect()
    if read.series_tags is not None:  # the tags of each row, to group by
        rows = rows.join(read.series_tags, on=WideRead.SERIES_COLUMN, how="left",
                         maintain_order="left")
    aggs = []
    for i, field in enumerate(read.fields):
        value, time = _aggregate(fn, pl.col(f"f:{field}"), pl.col("time"))
        aggs += [value.alias(f"v{i}"), pl.col(f"f:{field}").count().alias(f"n{i}")]
        if time is not None:
            aggs.append(time.alias(f"t{i}"))
    tags = list(read.tags)
    grouped = rows.lazy()
    grouped = (grouped.group_by(tags).agg(aggs) if tags else grouped.select(aggs)).collect()
    ctx.counts["points_read"] += sum(grouped.get_column(f"n{i}").sum()
                                     for i in range(len(read.fields)))
    out: dict[pl.DataType, list[pl.DataFrame]] = defaultdict(list)
    for i, field in enumerate(read.fields):
        time = pl.col(f"t{i}") if fn in SELECTORS else pl.lit(start)
        rows = grouped.filter(pl.col(f"n{i}") > 0).select(
            time.cast(pl.Int64).cast(TIME_DTYPE).alias("_time"),
            pl.lit(read.measurement, pl.String).alias("_measurement"),
            pl.lit(field, pl.String).alias("_field"),
            pl.col(f"v{i}").alias("_value"),
            *tags)
        out[rows.schema["_value"]].append(rows)
    return out


def _picked_in_batches(ctx: ExecContext, read: WideRead, fn: str
                       ) -> dict[pl.DataType, list[pl.DataFrame]] | None:
    """_picked_rows over the read in batches of BATCH_ROWS rows, so that memory holds a batch
    and the picks, not the range: a series cut by a batch's end keeps the later (last) or
    earlier (first) of its two picks. None when a batch cannot be picked from."""
    counted = ctx.counts["points_read"]
    by_type: dict[pl.DataType, list[pl.DataFrame]] = defaultdict(list)
    batches = 0
    for batch in read.frame.collect_batches(chunk_size=BATCH_ROWS):
        picked = _picked_rows(ctx, read, batch, fn)
        if picked is None:
            ctx.counts["points_read"] = counted
            return None
        for dtype, frames in picked.items():
            by_type[dtype] += frames
        batches += 1
    if batches < 2:
        return by_type
    pick = pl.all().first() if fn == "first" else pl.all().last()
    return {dtype: [pl.concat(frames).sort("_time").group_by(
        ["_field", *read.tags], maintain_order=True).agg(pick).select(frames[0].columns)]
        for dtype, frames in by_type.items()}


def _picked_rows(ctx: ExecContext, read: WideRead, rows: pl.DataFrame, fn: str
                 ) -> dict[pl.DataType, list[pl.DataFrame]] | None:
    """first/last without grouping by tags, when storage numbered the rows' series: each
    series' rows are a run in time order (a Parquet file's are), so a field's first or last
    value in a series is its first or last non-null cell in the run, found by NumPy on the
    run numbers. A series read from several files (several runs) keeps the earliest or
    latest of its runs' picks. None when rows are not numbered or not in time order."""
    numbers = series_numbers(read, rows)
    if numbers is None or not rows.height:
        return None
    starts = pertable.change_positions(numbers)
    time = rows.get_column("time").to_numpy()
    back = np.flatnonzero(time[1:] < time[:-1]) + 1
    if len(back) and not np.isin(back, starts).all():
        return None
    n = rows.height
    run: np.ndarray | None = None  # each row's run number, made when a field has nulls
    whole = starts if fn == "first" else np.append(starts[1:], n) - 1
    tags = list(read.tags)
    tables = run_tags(read, rows, numbers, starts, tags) if tags else None
    several = len(starts) > 1 and not read.one_file and (
        tables is None or tables.is_duplicated().any())
    out: dict[pl.DataType, list[pl.DataFrame]] = defaultdict(list)
    for field in sorted(read.fields):
        column = rows.get_column(f"f:{field}")
        nulls = column.null_count()
        ctx.counts["points_read"] += n - nulls
        if nulls == n:
            continue
        if nulls and run is None:
            run = np.zeros(n, dtype=np.int64)
            run[starts[1:]] = 1
            run = np.cumsum(run)
        at = whole if not nulls else _picks(column, run, fn)  # type: ignore[arg-type]
        picked = pl.DataFrame([
            pl.Series("_time", time[at]).cast(TIME_DTYPE),
            pl.Series("_value", column.to_numpy()[at]) if not nulls and
            column.dtype.is_numeric() else column[at].alias("_value"),
            *([] if tables is None else tables[np.searchsorted(starts, at, side="right") - 1])])
        if several:  # one pick per series: the earliest or latest of its runs'
            picked = picked.sort("_time")
            picked = picked.group_by(tags, maintain_order=True).agg(
                pl.all().first() if fn == "first" else pl.all().last()) if tags else \
                picked.slice(0 if fn == "first" else -1, 1)
        picked = picked.select(
            "_time", pl.lit(read.measurement, pl.String).alias("_measurement"),
            pl.lit(field, pl.String).alias("_field"), pl.col("_value").cast(column.dtype),
            *tags)
        out[picked.schema["_value"]].append(picked)
    return out


def _picks(column: pl.Series, run: np.ndarray, fn: str) -> np.ndarray:
    """The row of each run's first or last non-null cell (runs without one have none)."""
    valid = np.flatnonzero(column.is_not_null().to_numpy())
    runs = run[valid]
    edge = runs[1:] != runs[:-1]
    keep = np.concatenate(([True], edge)) if fn == "first" else np.concatenate((edge, [True]))
    return valid[keep]


def series_numbers(read: WideRead, rows: pl.DataFrame) -> pl.Series | None:
    """The numbers storage gives its Parquet rows' series (equal on a series' consecutive
    rows, different between series): one integer comparison per row finds where series
    start, instead of one per tag. None when some rows lack them."""
    if not read.numbered:
        return None
    numbers = rows.get_column(WideRead.SERIES_COLUMN)
    return None if numbers.null_count() else numbers


def scan_wide(ctx: ExecContext, read: StorageRead, tags: Sequence[str] | None = None,
              tags_by_series: bool = False) -> list[WideRead]:
    """The read's rows, wide per measurement (see Store.scan_wide); `tags`: only these."""
    with reading(ctx, read, read.bucket):
        return ctx.store.scan_wide(read.bucket, read.start, read.stop, read.predicate,
                                   read.org, read.missing_tag, tags=tags,
                                   tags_by_series=tags_by_series)


def tag_nulls(read: WideRead, rows: pl.DataFrame) -> bool:
    """Whether some series lacks one of the read's tags."""
    source = rows if read.series_tags is None else read.series_tags
    return any(source.get_column(t).null_count() for t in read.tags)


def run_tags(read: WideRead, rows: pl.DataFrame, numbers: pl.Series | np.ndarray | None,
             positions: np.ndarray, names: Sequence[str]) -> pl.DataFrame:
    """The tag columns `names` of the rows at `positions` (where runs of series start): from
    the read's table of series when it has one, else from the rows. `numbers`: the rows'
    series numbers, or (an array) those of the rows at `positions` alone."""
    if read.series_tags is None or numbers is None:
        return rows.select(names)[positions]  # indexing, not gather(): no query plan to run
    known = read.series_tags.get_column(WideRead.SERIES_COLUMN).to_numpy()
    wanted = numbers if isinstance(numbers, np.ndarray) else numbers.to_numpy()[positions]
    return read.series_tags.select(names)[np.searchsorted(known, wanted)]


def tables_of_series(read: WideRead, rows: pl.DataFrame, numbers: pl.Series, key: list[str],
                     name: str) -> tuple[pl.Series, pl.DataFrame, bool]:
    """Table ids per row and the tables (id, key columns) of numbered rows, as
    pertable.table_ids gives them, and whether each table is one run: the series numbers
    themselves when each series is one run, else the runs' keys ranked."""
    positions = pertable.change_positions(numbers)
    firsts = run_tags(read, rows, numbers, positions, key)
    numbered = pertable.run_tables(numbers, positions, firsts, name, read.one_file)
    if numbered is not None:
        return *numbered, True
    run_ids, tables = pertable.table_ids(firsts, key, name)  # a series over several files
    lengths = np.diff(positions, append=len(numbers))
    return pl.Series(name, np.repeat(run_ids.to_numpy(), lengths)), tables, False


@implements(StorageAggregate)
def read_aggregate(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]) -> TableStream:
    assert isinstance(node, StorageAggregate)
    read = node.read
    # first/last pick rows by series: their tags from the table of series, where there is one
    wide = scan_wide(ctx, read, tags_by_series=node.fn in ("first", "last"))
    if any(t not in ACCEPTS[node.fn] for w in wide for t in w.fields.values()):
        return execute(ctx, node.fallback)
    by_type: dict[pl.DataType, list[pl.DataFrame]] = defaultdict(list)
    for w in wide:
        for dtype, frames in _rows(ctx, w, node.fn, read.start).items():
            by_type[dtype] += frames
    frames = {t: pl.concat(fs, how="diagonal").lazy() for t, fs in by_type.items()}
    stream = stream_from_scan(frames, read.start, read.stop)  # type: ignore[arg-type]
    if node.fn in SELECTORS:
        return stream
    return TableStream([TableFrame(tf.frame.drop("_time"), tf.key, tf.empty)
                        for tf in stream.frames])


@implements(StorageWindowAggregate)
def read_window_aggregate(ctx: ExecContext, node: PlanNode, _inputs: list[TableStream]
                          ) -> TableStream:
    """aggregateWindow's count, sum, mean, first, last, min or max on the wide rows: each
    series is one integer table id (its rows are one run in a day's Parquet file), so nothing
    is reshaped or sorted by tags. Series lacking some tag, or a type the function does not
    take, run the plain plan."""
    assert isinstance(node, StorageWindowAggregate)
    read = node.read
    window: Any = node.window  # an AggregateWindowNative (the stdlib imports this module)
    fn = window.fn
    wide = scan_wide(ctx, read, tags_by_series=True)
    if any(t not in ACCEPTS[fn] for w in wide for t in w.fields.values()):
        return execute(ctx, node.fallback)
    bounds = (read.start, read.stop)
    frames = []
    for w in wide:
        by_field: dict[str, list[TableFrame]] = defaultdict(list)
        # in one file a series is one run: a batch's series are then whole
        for rows in run_batches(w) if w.one_file else [w.frame.collect()]:
            if not _window_batch(ctx, w, rows, window, bounds, by_field):
                return execute(ctx, node.fallback)
        frames += [concat_disjoint(parts) for parts in by_field.values()]
    frames.sort(key=lambda tf: (tf.key, str(tf.frame.schema.get("_value"))))
    return TableStream(frames)


def run_batches(read: WideRead, scale: int = 1) -> Iterator[pl.DataFrame]:
    """The read's rows in batches of about BATCH_ROWS (times `scale`), each ending where a
    series' run does (runs are told apart by storage's series numbers), so that memory holds
    a batch and what is kept of it rather than the range. All rows at once when they are not
    numbered."""
    if not (read.numbered and read.series_tags is not None):
        yield read.frame.collect()
        return
    held: pl.DataFrame | None = None  # cut only once another batch follows it
    for batch in read.frame.collect_batches(chunk_size=BATCH_ROWS * scale):
        if not batch.height:
            continue
        if held is None:
            held = batch
            continue
        cut = _last_run_start(held.get_column(WideRead.SERIES_COLUMN))
        if cut:
            yield held.slice(0, cut)
        held = pl.concat([held.slice(cut), batch])
    if held is not None:
        yield held


def _last_run_start(numbers: pl.Series) -> int:
    """Where the last run of equal numbers starts: looked for in a growing tail (a run is a
    series' rows, a batch many series), not over the whole batch."""
    n, size = numbers.len(), 1 << 14
    while True:
        tail = numbers.slice(max(0, n - size)).to_numpy()
        other = np.flatnonzero(tail != tail[-1])
        if len(other):
            return n - len(tail) + int(other[-1]) + 1
        if len(tail) == n:
            return 0
        size *= 4


def _window_batch(ctx: ExecContext, w: WideRead, rows: pl.DataFrame, window: Any,
                  bounds: tuple[int, int], by_field: dict[str, list[TableFrame]]) -> bool:
    """Window the series of `rows` (whole series), adding a table frame per field to
    `by_field`; False when the plain plan must run instead (a series lacks a tag)."""
    from tsengine.stdlib.universe.aggregate_window import TABLE, native_windows

    column = window.column
    tags = sorted(w.tags)
    if tag_nulls(w, rows):
        return False
    # one chunk per column (Polars copies them in parallel): a frame of columns chunked
    # alike is cheap to select from, and NumPy reads them in place
    numeric = rows.select("time", *(f"f:{f}" for f in w.fields),
                          *([WideRead.SERIES_COLUMN] if w.numbered else [])).rechunk()
    numbers = series_numbers(w, numeric)
    if numbers is not None and tags:
        ids, series, in_order = tables_of_series(w, rows, numbers, tags, TABLE)
    else:
        ids, series = pertable.table_ids(
            rows, tags, TABLE, None if numbers is None else pertable.changes(numbers))
        in_order = False
    ids, time = ids.rechunk(), numeric.get_column("time").alias("\0t")
    key = ("_start", "_stop", *sorted([*tags, "_field", "_measurement"]))
    for field in w.fields:
        values = pl.DataFrame([ids, numeric.get_column(f"f:{field}").alias(column), time])
        if values.get_column(column).null_count():
            values = values.drop_nulls(column)
        ctx.counts["points_read"] += values.height
        if not values.height:
            continue
        tables = series if values.height == rows.height else series.join(
            values.select(pl.col(TABLE).unique()), on=TABLE, how="semi",
            maintain_order="left")
        constants = {"_start": _times(bounds[0], tables.height),
                     "_stop": _times(bounds[1], tables.height),
                     "_field": _strings(field, tables.height),
                     "_measurement": _strings(w.measurement, tables.height)}
        tables = pl.DataFrame([tables.get_column(TABLE), *(
            constants[k].alias(k) if k in constants else tables.get_column(k)
            for k in key)])
        by_field[field].append(native_windows(window, values, tables, key,
                                              values.schema[column], bounds, in_order=in_order))
    return True


def _times(ns: int, n: int) -> pl.Series:
    """A column of one time, built without a query plan (as a literal would need)."""
    return pl.Series(np.full(n, ns, dtype=np.int64)).cast(TIME_DTYPE)


def _strings(value: str, n: int) -> pl.Series:
    """A column of one string, built without a query plan."""
    return pl.Series([value] * n, dtype=pl.String)
