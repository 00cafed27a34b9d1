"""Delete with a predicate, as InfluxDB's `/api/v2/delete`: points of a bucket with time in
[start, stop] (both ends included) whose series match `_measurement="cpu" AND host="a"`.

Semantics read from InfluxDB 2.x (main-2.x): http/delete_handler.go decodes the request and
parses the predicate with predicate/parser.go (InfluxQL's scanner, AND only, `=` and `!=`,
double-quoted or bare values) and refuses `_field = ...` ("delete by field is not
supported", 501); tsdb/store.go DeleteSeriesWithPredicate matches the predicate against each
series key (the measurement as the `_measurement` tag, fields are not part of a series) and
tsm1's DeleteSeriesRangeWithPredicate removes values in [min, max], inclusive. A comparison on a
tag the series lacks never matches (tsm1/predicate.go: the comparison needs more and the key
ends), whether it is `=` or `!=`.

Both tiers in one transaction: hot rows go with one DELETE per measurement; each Parquet
partition that overlaps the range and holds matching rows is rewritten without them under a
new name (written, synced, renamed) and swapped in the manifest. A crash before the commit
leaves the old state (the new files are orphans, removed at the next open), after it the new
one; the replaced files are the caller's to hand to the Reaper.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from storage.catalog import Bucket, Catalog, Measurement, Partition
from storage.compaction import day_dir, write_parquet_atomically
from storage.predicate import (
    FALSE,
    FIELD,
    MEASUREMENT,
    Predicate,
    bind,
    bind_absent,
    to_expr,
)
from storage.tiers import SEQ, SERIES, read_cold, schema_of
from storage.timeutil import DAY

MIN_TIME = -(2**63)
MAX_TIME = 2**63 - 1


@dataclass(frozen=True)
class DeleteResult:
    """What a delete removed: points (a series at one time, all its fields, as a line of line
    protocol) and Parquet files replaced (rewritten without the points, or dropped)."""

    points_deleted: int = 0
    files_rewritten: int = 0


# -- the delete ------------------------------------------------------------------------------

@dataclass
class _Plan:
    """What deleting from one measurement changes: partitions swapped, hot rows doomed."""

    swaps: list[tuple[Partition, Partition | None]] = field(default_factory=list)
    hot_seqs: pl.Series | None = None
    points: int = 0


def delete_points(catalog: Catalog, root: Path, bucket: Bucket, start: int, stop: int,
                  predicate: Predicate | None) -> tuple[DeleteResult, list[str]]:
    """Delete a bucket's points in [start, stop] matching `predicate`, both tiers in one
    transaction; return the result and the replaced files (for the Reaper). Comparisons on a
    tag a series lacks are false, as in InfluxDB's delete."""
    plans: list[tuple[Measurement, _Plan]] = []
    try:
        if start <= stop:
            for m in catalog.measurements(bucket.id):
                residual = _residual(predicate, m)
                if residual != FALSE:
                    plans.append((m, plan := _Plan()))  # listed first: its files get removed
                    _plan_measurement(catalog, root, m, start, stop, residual, plan)
        _commit(catalog, plans)
    except BaseException:
        # nothing was committed: the files written so far are orphans, remove them now
        for _, plan in plans:
            for _, new in plan.swaps:
                if new is not None:
                    Path(new.path).unlink(missing_ok=True)
        raise
    swaps = [old for _, plan in plans for old, _ in plan.swaps]
    result = DeleteResult(sum(plan.points for _, plan in plans), len(swaps))
    return result, [old.path for old in swaps]


def _residual(predicate: Predicate | None, m: Measurement) -> Predicate:
    """The predicate left for `m`'s rows: `_measurement` decided, comparisons on tags `m`
    never had (and on `_field`, which no series key holds) false."""
    bound = bind(predicate, {MEASUREMENT: m.name})
    return bind_absent(bound, set(m.tags) - {FIELD})


def _plan_measurement(catalog: Catalog, root: Path, m: Measurement, start: int, stop: int,
                      residual: Predicate, plan: _Plan) -> None:
    """Rewrite the partitions holding matching rows (new files written, nothing committed)
    and find the matching hot rows, into `plan`."""
    tag_cols = [c.col for c in m.tags.values()]
    in_range = pl.col("time").is_between(start, stop, closed="both")
    deleted_keys = []
    parts = catalog.partitions(m.bucket_id, m.id, start // DAY, stop // DAY)
    for part in parts:
        if part.max_time < start or part.min_time > stop:
            continue
        cols = part.cols or tuple(pl.read_parquet_schema(part.path))
        match = in_range & to_expr(residual, lambda t, cols=cols: _tag_col(m, t, cols))
        # a count first: Parquet statistics skip row groups, and most files hold no match
        if not pl.scan_parquet(part.path).filter(match).select(pl.len()).collect().item():
            continue
        # series numbers carried over (a subset of a file's rows keeps them valid)
        rows = read_cold([part], m, [*cols, SERIES]).collect()
        doomed = rows.filter(match)
        kept = rows.filter(~match)
        if kept.get_column(SERIES).null_count():
            kept = kept.drop(SERIES)  # a file written before series numbers
        plan.swaps.append((part, _rewrite(root, m, part, kept, cols)))
        deleted_keys.append(doomed.select(_keys(tag_cols, cols)))
    hot = _hot_rows(catalog, m, start, stop, tag_cols)
    doomed_hot = hot.filter(to_expr(residual, lambda t: _tag_col(m, t, tag_cols)))
    if doomed_hot.height:
        plan.hot_seqs = doomed_hot[SEQ]
        deleted_keys.append(doomed_hot.select("time", *tag_cols))
        # hot rows may repeat a point (written twice, or also in a partition): count it once
        plan.points = pl.concat(deleted_keys).unique().height
    else:
        plan.points = sum(k.height for k in deleted_keys)


def _tag_col(m: Measurement, tag: str, present: tuple[str, ...] | list[str]) -> str | None:
    """The column holding `tag` when it is among `present`, else None (never matches)."""
    col = m.tags[tag].col if tag in m.tags else None
    return col if col in present else None


def _keys(tag_cols: list[str], present: tuple[str, ...]) -> list[pl.Expr]:
    """A point's key (time and every tag) from a file that may predate some tags."""
    return [pl.col("time"), *[pl.col(c) if c in present else pl.lit(None, pl.String).alias(c)
                              for c in tag_cols]]


def _rewrite(root: Path, m: Measurement, old: Partition, kept: pl.DataFrame,
             cols: tuple[str, ...]) -> Partition | None:
    """Write the rows a partition keeps to a new file (None when it keeps none)."""
    if kept.height == 0:
        return None
    path = day_dir(root, m.bucket_id, m.id, old.day) / f"part-{uuid.uuid4().hex}.parquet"
    write_parquet_atomically(kept, path)
    times = kept["time"]
    return Partition(m.bucket_id, m.id, old.day, str(path), kept.height, times.min(),
                     times.max(), cols)  # type: ignore[arg-type]


def _hot_rows(catalog: Catalog, m: Measurement, start: int, stop: int,
              tag_cols: list[str]) -> pl.DataFrame:
    """Hot rows of `m` in [start, stop]: time, tags and write sequence."""
    select = ", ".join(["time", *tag_cols, SEQ])
    rel = catalog.con.sql(
        f"SELECT {select} FROM {m.hot_table} WHERE time BETWEEN {int(start)} AND {int(stop)}")
    frame = pl.from_arrow(rel.to_arrow_table())
    assert isinstance(frame, pl.DataFrame)
    return frame.cast(schema_of(m, ["time", *tag_cols, SEQ]))  # type: ignore[arg-type]


def _commit(catalog: Catalog, plans: list[tuple[Measurement, _Plan]]) -> None:
    """One transaction: swap the manifest entries and delete the hot rows."""
    if not any(plan.swaps or plan.hot_seqs is not None for _, plan in plans):
        return
    con = catalog.con
    con.begin()
    try:
        for m, plan in plans:
            for old, new in plan.swaps:
                if new is None:
                    catalog.drop_partition(old)
                else:
                    catalog.replace_partition(old, new)
            if plan.hot_seqs is not None:
                doomed = pl.DataFrame({SEQ: plan.hot_seqs}).to_arrow()
                con.register("tsengine_doomed", doomed)
                try:
                    con.execute(f"DELETE FROM {m.hot_table} WHERE {SEQ} IN "
                                f"(SELECT {SEQ} FROM tsengine_doomed)").fetchall()
                finally:
                    con.unregister("tsengine_doomed")
        con.commit()
    except BaseException:
        con.rollback()
        catalog.forget_cached()
        raise
