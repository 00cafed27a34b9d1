"""Bytes on disk per field value stored: the embedded engine's Parquet files of the bucket (and
whatever is left in its hot tier), or an InfluxDB 1.x database's TSM and WAL files when its
data directory is local, so the two storage formats compare on the same data set."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from storage import Store
from tsengine.bench.results import DiskUsage

SETTLE_POLL_SECONDS = 1.0
SETTLE_STILL_SECONDS = 5.0  # an InfluxDB directory is settled once its size held this long


def per_value(size: int, values: int) -> float | None:
    return size / values if values else None


def embedded_disk(store: Store, bucket: str) -> DiskUsage:
    """The bucket's Parquet files (from the manifest: replaced files awaiting deletion are not
    counted) and their non-null field values (from the files' row-group statistics, nothing
    decoded); rows still in the hot tier are counted apart, with the catalog file that holds
    them (manifest, schemas and hot tier of every bucket, free blocks included)."""
    store.flush()  # rows of pending writes are counted in the hot tier
    catalog = store.catalog
    found = catalog.bucket(catalog.org().id, bucket)
    files: list[str] = []
    field_cols: set[str] = set()
    hot_rows = hot_values = 0
    for m in catalog.measurements(found.id):
        files += [p.path for p in catalog.partitions(found.id, m.id)]
        cols = [c.col for c in m.fields.values()]
        field_cols.update(cols)
        counted = " + ".join(f"count({c})" for c in cols) or "0"
        rows, values = catalog.one(f"SELECT count(*), {counted} FROM {m.hot_table}") or (0, 0)
        hot_rows += int(rows)
        hot_values += int(values or 0)
    stats = [os.stat(f) for f in files]
    size = sum(allocated(s) for s in stats)
    values = _parquet_field_values(files, field_cols)
    catalog_bytes = sum(allocated(p.stat()) for p in store.path.glob("catalog.duckdb*")
                        if p.is_file())
    return DiskUsage(
        "the bucket's Parquet files", str(store.path), size, sum(s.st_size for s in stats),
        len(files), values, per_value(size, values), hot_rows=hot_rows,
        hot_field_values=hot_values, catalog_bytes=catalog_bytes)


def _parquet_field_values(files: list[str], field_cols: set[str]) -> int:
    """Non-null values of the field columns, summed from the row groups' null counts."""
    if not files or not field_cols:
        return 0
    con = duckdb.connect()
    try:
        (total,) = con.execute(
            "SELECT coalesce(sum(row_group_num_rows - coalesce(stats_null_count, 0)), 0) "
            "FROM parquet_metadata(?) WHERE path_in_schema IN (SELECT unnest(?))",
            [files, sorted(field_cols)]).fetchone() or (0,)
    finally:
        con.close()
    return int(total)


def allocated(stat: os.stat_result) -> int:
    """A file's bytes on disk as du counts them: a sparse, preallocated file (InfluxDB's
    series file reserves 4 MB segments) counts the blocks it uses, not its length."""
    return stat.st_blocks * 512


def directory_bytes(path: Path) -> tuple[int, int, int]:
    """(allocated bytes, apparent bytes, files) of the regular files under `path` (zeros when
    it does not exist)."""
    size = apparent = count = 0
    for root, _dirs, names in os.walk(path):
        for name in names:
            try:
                stat = os.lstat(os.path.join(root, name))
            except FileNotFoundError:  # removed by a compaction while walking
                continue
            size += allocated(stat)
            apparent += stat.st_size
            count += 1
    return size, apparent, count


def influxdb1_dirs(path: Path, database: str) -> tuple[Path, Path | None]:
    """The database's TSM and WAL directories under influxd's directory: PATH/data/DB and
    PATH/wal/DB (PATH holds meta/, data/, wal/), or PATH/DB when PATH is the [data] dir."""
    if (path / "data" / database).is_dir():
        return path / "data" / database, path / "wal" / database
    return path / database, None


def influxdb1_disk(path: Path, database: str, field_values: int, settle_seconds: float = 0,
                   sleep: Callable[[float], None] = time.sleep,
                   clock: Callable[[], float] = time.monotonic) -> DiskUsage:
    """The database's files under an influxd directory, measured once they settle: up to
    `settle_seconds` for the WAL to be snapshotted into TSM files and the size to hold still
    (influxd compacts in the background, after its cold-write durations)."""
    data, wal = influxdb1_dirs(path, database)
    if not data.is_dir():
        return DiskUsage("influxd's files of the database", str(path), 0, 0, 0, field_values,
                         None,
                         error=f"no directory {data}: is --target-data-dir influxd's "
                               "directory (holding data/ and wal/) or its [data] dir?")
    deadline = clock() + settle_seconds
    last = (0, 0, 0, 0)
    still_since = clock()
    while True:
        size, apparent, files = directory_bytes(data)
        wal_size, wal_apparent, wal_files = directory_bytes(wal) if wal else (0, 0, 0)
        now = (size + wal_size, apparent + wal_apparent, files + wal_files, wal_size)
        if now != last:
            last, still_since = now, clock()
        settled = wal_size == 0 and clock() - still_since >= SETTLE_STILL_SECONDS
        if settled or clock() >= deadline:
            break
        sleep(SETTLE_POLL_SECONDS)
    total, apparent, count, wal_bytes = last
    return DiskUsage("influxd's files of the database (TSM, series file, WAL)", str(path), total,
                     apparent, count, field_values, per_value(total, field_values),
                     wal_bytes=wal_bytes)
