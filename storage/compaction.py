"""Compaction: hot rows move into deduplicated Parquet files per bucket, measurement and day.

A day's hot rows that all come after the day's files (points written in time order, the usual case;
at the files' last time, only in other series) are written as one more file of that day: no point
can be in two files, a series' rows stay in time order from file to file, and nothing written
before is read again (storage/day_merge.py merges a day's files later, see Store.compact).
Otherwise the hot rows are merged here into one file with the day's files they reach back into:
the last ones, as a day's files follow each other in time (rows that came out of order around
the previous compaction reach into the last file only); the earlier files stay as they are.
Each new file is written under a temporary name, synced and renamed; then one transaction swaps
the manifest entries and deletes the compacted hot rows. A crash before the commit leaves the
old state (the new file is an orphan, removed at the next open); after it, the new one.

It comes in three steps, so that the store can write the files, the costly part, outside its
lock while writes go on: `take_hot_rows` (reads the catalog and DuckDB: under the lock),
`write_files` (reads and writes only Parquet), `commit_files` (the transaction: under the lock).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl
import pyarrow.parquet as pq

from storage.catalog import Catalog, Measurement, Partition
from storage.tiers import SEQ, SERIES, read_cold, read_hot, schema_of
from storage.timeutil import DAY, format_time
from storage.write_log import sync_directory

# rows of a Parquet row group: rows are sorted by tags, so a tag predicate reads only the row
# groups its series fall in; 64k rows halve a one-location read against 128k (measured on the
# benchmark's telemetry) and cost a full read ~8%
ROW_GROUP_SIZE = 64 * 1024
# files a day may have before compaction merges them into one (storage/day_merge.py): bounds
# the files a read opens
MAX_FILES_PER_DAY = 8
_TIME_BITS = 47  # a day has fewer nanoseconds than 2**47
_RANK_BITS = 63 - _TIME_BITS


@dataclass
class CompactionResult:
    """What one compaction moved."""

    rows_in: int = 0
    rows_out: int = 0
    files_written: int = 0


def day_dir(root: Path, bucket_id: str, measurement_id: int, day: int) -> Path:
    """`buckets/<bucket-id>/<measurement-id>/<YYYY-MM-DD>`: ids only, never user-given names."""
    return root / "buckets" / bucket_id / str(measurement_id) / format_time(day * DAY)[:10]


def write_parquet_atomically(frame: pl.DataFrame, path: Path) -> None:
    """Write, fsync, rename, fsync the directory: the file is either whole or absent."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".parquet.tmp")
    try:
        # pyarrow's writer rather than Polars': dictionary pages for every column where they
        # pay (telemetry values repeat), which Polars reads back ~2x faster than its own
        # plain-encoded floats, in ~13% less space, written ~8% faster (measured on a day of
        # the benchmark's telemetry); string views are handed over without a copy
        pq.write_table(frame.to_arrow(compat_level=pl.CompatLevel.newest()), tmp,
                       compression="zstd", row_group_size=ROW_GROUP_SIZE, write_statistics=True)
        sync_and_rename(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sync_and_rename(tmp: Path, path: Path) -> None:
    """Make a fully written temporary file durable under its final name."""
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    sync_directory(path.parent)


@dataclass
class HotRows:
    """A measurement's hot rows taken for compaction, and its day partitions when taken."""

    m: Measurement
    rows: pl.DataFrame  # time, tags, fields and SEQ
    cols: list[str]  # what the new files hold: time, tags, fields
    days: dict[int, list[Partition]]
    pending: bool  # some came from pending writes (storage.pending), not only from DuckDB


@dataclass
class NewFiles:
    """The files written for one HotRows, not yet in the manifest: per file, the partitions
    it replaces (none when it is one more file of its day) and its own partition."""

    hot: HotRows
    files: list[tuple[list[Partition], Partition]]

    def discard(self) -> None:
        """Remove the files (not committed: orphans otherwise, until the next open)."""
        for _, new in self.files:
            Path(new.path).unlink(missing_ok=True)


def discard(files: Iterable[NewFiles]) -> None:
    """Remove the files of each NewFiles (a compaction failed or was called off)."""
    for written in files:
        written.discard()


def take_hot_rows(catalog: Catalog, m: Measurement, pending: pl.DataFrame | None = None
                  ) -> HotRows | None:
    """A measurement's hot rows, and the `pending` rows of its hot table not yet in DuckDB
    (newer than every hot row), or None when it has none. Reads the catalog: under the
    store's lock."""
    tags = [c.col for c in m.tags.values()]
    fields = [c.col for c in m.fields.values()]
    cols = ["time", *tags, *fields]
    hot = read_hot(catalog, m, -(2**63), 2**63 - 1, cols)
    taken = pending is not None and pending.height > 0
    if taken:
        schema = schema_of(m, [*cols, SEQ])
        pending = pending.select(pl.col(c) if c in pending.columns else  # type: ignore[union-attr]
                                 pl.lit(None, dtype).alias(c) for c, dtype in schema.items())
        hot = pending if hot.height == 0 else pl.concat([hot, pending])
    if hot.height == 0:
        return None
    return HotRows(m, hot, cols, partitions_by_day(catalog, m), taken)


def partitions_by_day(catalog: Catalog, m: Measurement) -> dict[int, list[Partition]]:
    """A measurement's partitions, per day (a day's in time order)."""
    days: dict[int, list[Partition]] = {}
    for p in catalog.partitions(m.bucket_id, m.id):
        days.setdefault(p.day, []).append(p)
    return days


def days_of(hot: HotRows) -> set[int]:
    """The days the hot rows fall in."""
    return set((hot.rows.get_column("time") // DAY).unique().to_list())


def write_files(root: Path, hot: HotRows, result: CompactionResult) -> NewFiles:
    """Fold the hot rows into their days' partitions as new files, synced and renamed into
    place but not in the manifest. Reads only Parquet files, never the catalog: the store
    runs it outside its lock while writes go on (it keeps the days' partitions unchanged
    meanwhile)."""
    m, cols = hot.m, hot.cols
    tags = [c.col for c in m.tags.values()]
    fields = [c.col for c in m.fields.values()]
    # series in the order of their tag values by tag name, as queries order them
    by_name = sorted(tags, key=lambda c: m.column(c).name)
    written = NewFiles(hot, [])
    result.rows_in += hot.rows.height
    try:
        for day, rows in _by_day(hot.rows):
            # the day's files the rows reach back into: the last ones (a day's files follow
            # each other in time), mostly none, or the last when concurrent writers' requests
            # came in out of order around the previous compaction; the earlier files end
            # before the rows begin and are left as they are
            first = rows["time"].min()
            old = [p for p in hot.days.get(day, []) if p.max_time >= first]  # type: ignore[operator]
            if not old or _can_append(old, rows, m, tags):
                replaced: list[Partition] = []
            else:
                replaced = old
                existing = read_cold(old, m, cols).with_columns(
                    pl.lit(0, pl.Int64).alias(SEQ)).collect()
                rows = pl.concat([existing, rows])
            merged = _sorted_by_series(rows, by_name, day, fields)
            path = day_dir(root, m.bucket_id, m.id, day) / f"part-{uuid.uuid4().hex}.parquet"
            write_parquet_atomically(merged, path)
            times = merged["time"]
            written.files.append((replaced, Partition(
                m.bucket_id, m.id, day, str(path), merged.height, times.min(), times.max(),
                tuple(cols))))
            result.rows_out += merged.height - sum(p.rows for p in replaced)
            result.files_written += 1
    except BaseException:
        written.discard()
        raise
    return written


def commit_files(catalog: Catalog, written: NewFiles, seq: int
                 ) -> tuple[list[Partition], set[int]]:
    """One transaction: the new files in the manifest in place of those they replace, the
    compacted hot rows deleted, and, when pending rows were taken, `seq` (the last write
    sequence number taken by then) as the table's compacted sequence. Returns the replaced
    partitions and the days that received rows. Nothing committed: the files are removed."""
    hot = written.hot
    con = catalog.con
    try:
        con.begin()
        try:
            for replaced, new in written.files:
                for old_part in replaced[1:]:
                    catalog.drop_partition(old_part)
                catalog.replace_partition(replaced[0] if replaced else None, new)
            con.execute(f"DELETE FROM {hot.m.hot_table} WHERE seq <= ?",
                        [hot.rows[SEQ].max()]).fetchall()
            if hot.pending:  # the log's rows of it are done with
                catalog.set_table_sequence(hot.m.hot_table, seq)
            con.commit()
        except BaseException:
            con.rollback()
            raise
    except BaseException:
        written.discard()
        raise
    return ([old for replaced, _ in written.files for old in replaced],
            {new.day for _, new in written.files})


def _by_day(hot: pl.DataFrame) -> Iterator[tuple[int, pl.DataFrame]]:
    """The hot rows per UTC day; rows of one day (the usual case) are not copied."""
    days = hot["time"] // DAY
    if days.min() == days.max():
        yield int(days[0]), hot
        return
    for (day,), rows in hot.group_by(days):
        yield int(day), rows  # type: ignore[arg-type]


def _can_append(old: list[Partition], rows: pl.DataFrame, m: Measurement,
                tags: list[str]) -> bool:
    """Whether a day's hot rows can be one more file of the day: no earlier point of theirs in
    the day's files, and none of their series at the files' last time (a request that ends in
    the middle of a timestamp's points leaves the rest of them to the next compaction)."""
    first = rows["time"].min()
    if any(p.max_time > first for p in old):  # type: ignore[operator]
        return False
    edge = [p for p in old if p.max_time == first]
    if not edge:
        return True
    stored = read_cold(edge, m, ["time", *tags]).filter(pl.col("time") == first).collect()
    arriving = rows.filter(pl.col("time") == first).select("time", *tags)
    return stored.join(arriving, on=["time", *tags], how="semi", nulls_equal=True).height == 0


def _sorted_by_series(rows: pl.DataFrame, by_name: list[str], day: int,
                     fields: list[str]) -> pl.DataFrame:
    """Rows sorted by tag values (by tag name, nulls last), then time, numbered by series, one
    per series and time: a point written more than once keeps, per field, its value from the
    newest write that set it (highest SEQ; the SEQ column is dropped).

    The few distinct tag sets are sorted alone and each row sorted by its set's rank and its
    time: integer keys instead of comparing every row's tag strings, after which the rows of
    one point are neighbours. The tag columns do not take part in the sort: they are taken
    back from the sets by the sorted ranks, which reads a few thousand strings in order
    instead of every row's at random (cheaper to gather, and to encode in Parquet after).
    """
    order = [c for c in rows.columns if c != SEQ]
    sets = None
    if by_name:
        ranks, sets = _series_ranks_of_rows(rows, by_name)
        rank = pl.lit(ranks)
        many = sets.height >= 1 << _RANK_BITS
        rows = rows.drop(by_name)
    else:
        rank, many = pl.lit(0, pl.Int64), False
    keys = ["_rank", "time"] if many else ["_key"]
    # unless there are too many series: rank and time of day in one int64, a one-key sort
    rows = rows.with_columns(rank.alias("_rank"), *([] if many else [
        (rank * (1 << _TIME_BITS) + (pl.col("time") - day * DAY)).alias("_key")]))
    if many:
        rows = rows.sort(keys)
        duplicates = _has_neighbour_duplicates(rows, keys)
    else:
        by_key, duplicates = _order_by_rank(rows)
        # (a gather from one chunk: from many, each row's chunk is looked for)
        rows = rows.rechunk()[by_key]
    if duplicates:
        others = [c for c in rows.columns if c not in (*keys, *fields, SEQ)]
        rows = (rows.sort([*keys, SEQ])
                .group_by(keys, maintain_order=True)
                .agg(*[pl.col(c).first() for c in others],
                     *[pl.col(f).drop_nulls().last() for f in fields]))
    if sets is not None:  # (ranks are row numbers of the sets)
        rows = rows.hstack(sets.select(by_name)[rows.get_column("_rank").to_numpy()])
    return rows.select(*order, (pl.lit(day << 32, pl.Int64) + pl.col("_rank")).alias(SERIES))


def _order_by_rank(rows: pl.DataFrame) -> tuple[pl.Series, bool]:
    """The rows' order by `_key` (series rank, then time), and whether two rows share a key
    (a point written twice). A stable sort of the 16-bit ranks (NumPy sorts them by radix, in
    linear time) puts each series' rows in the order they came, mostly time order already;
    where they are not (concurrent writers' requests interleave: then a series' rows are a few
    runs each in time order, as are late points), a stable sort of the keys so ordered
    finishes it (NumPy's timsort merges the runs): about a fifth of the cost of sorting the
    keys from scratch."""
    order = np.argsort(rows.get_column("_rank").to_numpy().astype(np.uint16), kind="stable")
    key = rows.get_column("_key").to_numpy()[order]
    if (key[1:] > key[:-1]).all():  # (rising: no key twice)
        return pl.Series(order, dtype=pl.get_index_type()), False
    runs = np.argsort(key, kind="stable")
    order, key = order[runs], key[runs]
    return pl.Series(order, dtype=pl.get_index_type()), bool((key[1:] == key[:-1]).any())


def _series_ranks_of_rows(rows: pl.DataFrame, by_name: list[str]
                          ) -> tuple[pl.Series, pl.DataFrame]:
    """Each row's series rank, and the distinct tag sets (`by_name`), one per rank in rank
    order (see series_ranks).

    Tag sets are told apart by a 64-bit hash of each row's tags, mapped to ranks in one
    integer lookup (a join on the tag strings cost 2.5x as much); every row's tags are then
    compared with those of its hash's set, and should two sets share a hash, the strings
    are joined instead."""
    tags = rows.select(by_name)
    hashed = tags.with_columns(pl.struct(by_name).hash().alias("_hash"))
    sets = series_ranks(hashed.unique(subset="_hash", keep="any"), by_name, "_rank")
    ranks = hashed.select(pl.col("_hash").replace_strict(sets["_hash"], sets["_rank"]))
    rank = ranks.to_series()
    of_set = sets.select(pl.col(by_name).gather(rank))
    if tags.select(pl.all_horizontal(pl.col(c).eq_missing(of_set[c]) for c in by_name)
                   .all()).item():
        return rank, sets.select(by_name)
    exact = series_ranks(tags.unique(), by_name, "_rank")  # a hash shared by two sets
    joined = tags.join(exact, on=by_name, how="left", nulls_equal=True, maintain_order="left")
    return joined["_rank"], exact.select(by_name)


def series_ranks(tag_sets: pl.DataFrame, by_name: list[str], name: str) -> pl.DataFrame:
    """Distinct tag sets, each with its rank (`name`, Int64) in the order of its values by tag
    name, nulls last: the order of series in a file, which day merges must keep too."""
    return (tag_sets.sort(by_name, nulls_last=True).with_row_index(name)
            .with_columns(pl.col(name).cast(pl.Int64)))


def _has_neighbour_duplicates(rows: pl.DataFrame, keys: list[str]) -> bool:
    """Whether two consecutive rows have the same keys (rows sorted by them)."""
    same = np.ones(max(rows.height - 1, 0), dtype=bool)
    for key in keys:
        values = rows.get_column(key).to_numpy()
        same &= values[1:] == values[:-1]
    return bool(same.any())


def remove_orphans(catalog: Catalog, root: Path) -> int:
    """Delete Parquet files the manifest does not list (left by a crash); return how many."""
    # compared as real paths: however the directory was reached, a listed file is never deleted
    known = {os.path.realpath(p) for p in catalog.all_partition_paths()}
    removed = 0
    base = root / "buckets"
    if not base.exists():
        return 0
    for path in base.rglob("*"):
        if (path.is_file() and path.suffix in (".parquet", ".tmp")
                and os.path.realpath(path) not in known):
            path.unlink()
            removed += 1
    return removed
