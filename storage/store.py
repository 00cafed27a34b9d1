"""The Store: a data directory of buckets, the single entry point of the storage layer.

`catalog.duckdb` holds the catalog and the hot tier; `writes.log` the writes acknowledged but not
yet inserted into the hot tier (see storage.pending); `buckets/` the Parquet cold tier. One process
opens a data directory at a time (DuckDB's file lock); within it, a lock serializes catalog use.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import duckdb
import polars as pl

from storage.catalog import Bucket, Catalog, Measurement, Organization, Partition
from storage.compaction import (
    MAX_FILES_PER_DAY,
    CompactionResult,
    HotRows,
    NewFiles,
    commit_files,
    days_of,
    discard,
    partitions_by_day,
    remove_orphans,
    take_hot_rows,
    write_files,
)
from storage.day_merge import merge_day
from storage.delete import DeleteResult, delete_points
from storage.errors import DataDirLocked, InvalidArgument, StorageError
from storage.lineprotocol import PointBatch, parse
from storage.lineprotocol.model import LINE, TIME, FieldType, Segment, field_column, tag_column
from storage.pending import FLUSH_ROWS, PendingWrites, Taken
from storage.predicate import Predicate
from storage.reaper import DEFAULT_GRACE_SECONDS, Reaper
from storage.retention import RetentionResult, cutoffs, enforce
from storage.scan import ScanPlan, WideRead, execute_scan, execute_wide_scan, plan_scan
from storage.tiers import read_wide
from storage.timeutil import DAY, Clock, parse_duration
from storage.write import (
    WriteResult,
    add_columns,
    hot_rows,
    insert,
    missing_columns,
    prepare,
)

T = TypeVar("T")

DEFAULT_COMPACT_THRESHOLD = 2_000_000
RETRY_SECONDS = 10.0  # after a failed compaction of the write path
WRITE_LOG = "writes.log"  # see storage.write_log
WAL_LIMIT = "1GB"  # DuckDB's checkpoint threshold: above what a compaction threshold of rows takes
MIN_RETENTION = 3600 * 1_000_000_000
MIN_TIME = -(2**63)
MAX_TIME = 2**63 - 1
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MeasurementStats:
    """What a bucket holds of one measurement: for `bucket stats`, the demo and tests."""

    name: str
    series: int
    points: int
    first: int | None
    last: int | None
    fields: dict[str, FieldType]
    tags: list[str]


@dataclass
class _Merging:
    """Day merges a compaction (the write path's, or compact(full=False)) runs after its
    commit, outside the lock; called off (`cancelled`) by whatever changes stored rows
    meanwhile."""

    days: frozenset[tuple[int, int]]  # (measurement id, day) of each day merged
    cancelled: bool = False
    over: threading.Event = field(default_factory=threading.Event)


@dataclass
class _Compaction:
    """A compaction under way: the rows it took (pending writes and DuckDB's hot rows), the
    last write sequence number taken by then, whether it still holds its pending rows (a
    reader made them pending again, to flush them into DuckDB) and whether it was called off."""

    taken: Taken
    hot: list[HotRows]
    seq: int
    holds_rows: bool = True
    cancelled: bool = False
    over: threading.Event = field(default_factory=threading.Event)


class Store:
    """Buckets of line-protocol points: write, scan, export, compact, enforce retention."""

    def __init__(self, path: str | Path, *, clock: Clock | None = None,
                 compact_threshold: int = DEFAULT_COMPACT_THRESHOLD,
                 file_grace_seconds: float = DEFAULT_GRACE_SECONDS) -> None:
        self.path = Path(path).absolute()  # files stay reachable if the process changes dir
        self.clock = clock or Clock()
        self.compact_threshold = compact_threshold
        self.reaper = Reaper(file_grace_seconds)
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(str(self.path / "catalog.duckdb"))
        except duckdb.IOException as e:
            if "lock" in str(e).lower():
                raise DataDirLocked(
                    f"data directory {self.path} is in use by another tsengine process") from None
            raise StorageError(f"cannot open data directory {self.path}: {e}") from None
        # hot rows are ordered by their write sequence, not by insertion: lets inserts run parallel
        self.con.execute("SET preserve_insertion_order = false").fetchall()
        # hot rows live in the write-ahead log until compaction deletes them, which then
        # checkpoints (see compact): DuckDB's default 16 MB threshold copied them from the log
        # into the database file every few writes, only for compaction to delete them
        self.con.execute(f"SET checkpoint_threshold = '{WAL_LIMIT}'").fetchall()
        self.catalog = Catalog(self.con, self.path)
        self._lock = threading.RLock()
        self._compaction: _Compaction | None = None  # one at a time
        self._merging: _Merging | None = None  # one's day merges, after it
        self._compactors: list[threading.Thread] = []  # the write path's, while they run
        self._retry_after = 0.0  # (time.monotonic) a failed one is not retried before
        with self._transaction():
            self.catalog.initialize(self.clock.now())
        # logged writes not yet in DuckDB (left by a close or a crash): held again, as pending
        try:
            self._pending = PendingWrites(self.path / WRITE_LOG)
        except BlockingIOError:
            self.con.close()
            raise DataDirLocked(f"data directory {self.path} is already open") from None
        flushed, compacted = self.catalog.sequence(), self.catalog.table_sequences()
        self._pending.recover(flushed, compacted)
        # the last one taken
        self._seq = max(flushed, *compacted.values(), self._pending.last_seq or 0)
        remove_orphans(self.catalog, self.path)
        self._hot_rows = self._count_hot_rows()

    @classmethod
    def open(cls, path: str | Path, **kwargs: object) -> Store:
        """Open (creating if needed) a data directory."""
        return cls(path, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        """Close the data directory, deleting every replaced file still waiting."""
        with self._lock:
            self._cancel_compaction()  # its rows stay in the log, as the pending rows do
            self._pending.close()  # its writes stay in the log, durable, for the next open
            self.con.close()
        self.wait_for_compaction()  # called off: it only removes the files it wrote
        with self._lock:
            self.reaper.reap(force=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            self.con.begin()
            try:
                yield
                self.con.commit()
            except BaseException:
                self.con.rollback()
                self.catalog.forget_cached()
                raise

    @contextmanager
    def _settled(self, changes: bool = False) -> Iterator[None]:
        """The lock, with every pending write in DuckDB: what reads or (`changes`) changes
        stored rows holds, so that it sees every acknowledged write. A compaction under way
        gives its rows back to be flushed with the others (it still commits: its files hold
        them, and its commit deletes them from DuckDB), unless stored rows change: then it
        is called off, as its files may hold rows this change deletes."""
        with self._lock:
            if changes:
                self._cancel_compaction()
            elif self._compaction is not None:
                self._give_back(self._compaction)
            self.flush()
            yield

    @contextmanager
    def metadata(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """One transaction on `catalog.duckdb` for the layers above storage (tasks, tokens), so
        their records live and commit in the data directory beside the catalog."""
        with self._transaction():
            yield self.con
            # a statement whose result was not fetched would block the next relation (scans)
            self.con.execute("SELECT 1").fetchall()

    # -- organizations and buckets ---------------------------------------------------------
    def read_catalog(self, read: Callable[[Catalog], T]) -> T:
        """`read(catalog)` under the lock (a lookup of several catalog reads)."""
        with self._lock:
            return read(self.catalog)

    def read_remembered(self, read: Callable[[Catalog], T]) -> T:
        """`read(catalog)` from the catalog's remembered answers alone, without the lock (a
        server's event loop asks so, which must not wait for a write); NotRemembered when it
        needs DuckDB. An answer may be a change old: a write looks its bucket up again under
        the lock."""
        return self.catalog.read_remembered(read)

    def orgs(self) -> list[Organization]:
        with self._lock:
            return self.catalog.orgs()

    def org(self, org: str | None = None) -> Organization:
        with self._lock:
            return self.catalog.org(org)

    def rename_org(self, org: str, name: str) -> Organization:
        """Rename an organization (by name or id); a name taken by another is refused."""
        with self._transaction():
            return self.catalog.rename_org(self.catalog.org(org), name)

    def buckets(self, org: str | None = None) -> list[Bucket]:
        with self._lock:
            return self.catalog.buckets(self.catalog.org(org).id)

    def bucket(self, name: str, org: str | None = None) -> Bucket:
        with self._lock:
            return self.catalog.bucket(self.catalog.org(org).id, name)

    def create_bucket(self, name: str, retention: str | int = 0, description: str = "",
                      org: str | None = None) -> Bucket:
        """Create a bucket; retention `0` keeps points forever, otherwise at least 1h."""
        ns = _retention(retention)
        with self._transaction():
            return self.catalog.create_bucket(self.catalog.org(org).id, name, ns, description,
                                              self.clock.now())

    def update_bucket(self, name: str, *, new_name: str | None = None,
                      retention: str | int | None = None, description: str | None = None,
                      org: str | None = None) -> Bucket:
        """Rename a bucket or change its retention or description."""
        ns = None if retention is None else _retention(retention)
        with self._transaction():
            bucket = self.catalog.bucket(self.catalog.org(org).id, name)
            return self.catalog.update_bucket(bucket, self.clock.now(), name=new_name,
                                              retention=ns, description=description)

    def delete_bucket(self, name: str, org: str | None = None) -> None:
        """Delete a bucket and all its data."""
        with self._settled(changes=True), self._transaction():
            bucket = self.catalog.bucket(self.catalog.org(org).id, name)
            paths = [p.path for p in self.catalog.partitions(bucket.id)]
            self.catalog.delete_bucket(bucket)
        self.reaper.add(paths)
        self.reaper.reap()
        self._hot_rows = self._count_hot_rows()

    # -- writing ----------------------------------------------------------------------------
    def write(self, bucket: str, data: str | bytes | PointBatch, precision: str = "ns",
              org: str | None = None, source: str | None = None) -> WriteResult:
        """Write line protocol: all of it or, on a syntax error, none (LineProtocolError).

        Points older than the bucket's retention or with a field of another type than stored
        are dropped and reported in the result, as InfluxDB's partial write does.
        """
        now = self.clock.now()
        batch = data if isinstance(data, PointBatch) else parse(
            data, precision, now, source=source)
        busy = self._compaction
        if busy is not None and self._pending.rows > FLUSH_ROWS:
            # rows come faster than the compaction under way takes them: wait for it (no
            # lock is held) rather than hold more, or flush them into DuckDB to read back
            # (not for a day merge: the next compaction runs beside it)
            busy.over.wait()
        appended, rows = None, []
        with self._lock:
            target = self.catalog.bucket(self.catalog.org(org).id, bucket)
            prepared, result = prepare(self.catalog, target, batch, now)
            if prepared:
                missing = missing_columns(self.catalog, target, prepared)
                if missing:
                    with self._transaction():
                        add_columns(self.catalog, target, missing)
                seq_base = self._seq + 1
                lines = max(p.frame[LINE].max() for p in prepared)
                self._seq += int(lines) + 1  # type: ignore[arg-type]
                rows = hot_rows(self.catalog, target, prepared, seq_base)
                appended = self._pending.add(self._seq, rows)
            self._hot_rows += result.written
            idle = self._compaction is None
            behind = idle and self._hot_rows > self.compact_threshold
            if idle and not behind and self._pending.rows > FLUSH_ROWS:
                self.flush()  # (under way, a compaction makes the next write wait instead)
        if appended is not None:
            # outside the lock: the next writer appends meanwhile, and one sync covers both
            try:
                self._pending.log.sync(appended)
            except BaseException:
                with self._lock:  # not durable: not written (nor is any write after it)
                    self._pending.forget(rows)
                    self._hot_rows -= result.written
                raise
        if behind:
            self._compact_behind()
        return result

    def flush(self) -> None:
        """Put the pending writes (logged, acknowledged) into the hot tables: one insert per
        table and one commit. Everything that reads or changes stored rows flushes first
        (_settled)."""
        with self._lock:
            if not self._pending.rows:
                return
            with self._transaction():
                for table, frame in self._pending.tables().items():
                    insert(self.con, table, frame)
                self.catalog.set_sequence(self._seq)
            self._pending.clear()

    def delete(self, bucket: str, start: int | None, stop: int | None,
               predicate: Predicate | None = None, org: str | None = None) -> DeleteResult:
        """Delete the points with time in [start, stop] (both included, as InfluxDB's delete;
        None is unbounded) of the series matching `predicate`, from both tiers at once."""
        lo = MIN_TIME if start is None else start
        hi = MAX_TIME if stop is None else stop
        with self._settled(changes=True):
            target = self.catalog.bucket(self.catalog.org(org).id, bucket)
            result, replaced = delete_points(self.catalog, self.path, target, lo, hi, predicate)
            self.reaper.add(replaced)
            self._hot_rows = self._count_hot_rows()
            self.reaper.reap()
        return result

    # -- reading ----------------------------------------------------------------------------
    def plan_scan(self, bucket: str, start: int | None = None, stop: int | None = None,
                  predicate: Predicate | None = None, columns: Sequence[str] | None = None,
                  org: str | None = None, missing_tag: str | None = None) -> ScanPlan:
        """Decide what a scan reads (partitions, columns) without reading anything."""
        with self._settled():
            target = self.catalog.bucket(self.catalog.org(org).id, bucket)
            lo, hi = self._visible_range(target, start, stop)
            return plan_scan(self.catalog, target, lo, hi, predicate, columns, missing_tag,
                             hot=self._hot_rows > 0)

    def scan(self, bucket: str, start: int | None = None, stop: int | None = None,
             predicate: Predicate | None = None, columns: Sequence[str] | None = None,
             org: str | None = None, missing_tag: str | None = None
             ) -> dict[FieldType, pl.LazyFrame]:
        """Points in [start, stop) matching `predicate`, long-shaped, one LazyFrame per value type.

        Frames hold `_time, _measurement, _field, _value` and the tags in `columns` (all when
        None). Expired points are never returned, whether or not retention has been enforced.
        With `missing_tag=""`, a comparison on a tag a series lacks sees "" (InfluxDB's storage
        semantics for pushed-down filters); by default it is false.
        """
        with self._lock:
            plan = self.plan_scan(bucket, start, stop, predicate, columns, org, missing_tag)
            return execute_scan(self.catalog, plan)

    def scan_wide(self, bucket: str, start: int | None = None, stop: int | None = None,
                  predicate: Predicate | None = None, org: str | None = None,
                  missing_tag: str | None = None, tags: Sequence[str] | None = None,
                  tags_by_series: bool = False) -> list[WideRead]:
        """The same points as `scan`, wide per measurement and field group (see WideRead):
        what aggregates pushed into storage compute on, before any reshaping. `tags`: only
        these tag columns (all when None); `tags_by_series`: as a table per series where
        the rows are numbered (WideRead.series_tags), not as columns of the rows."""
        with self._lock:
            plan = self.plan_scan(bucket, start, stop, predicate, tags, org, missing_tag)
            return execute_wide_scan(self.catalog, plan, tags_by_series)

    def segments(self, bucket: str, start: int | None = None, stop: int | None = None,
                 org: str | None = None) -> Iterator[Segment]:
        """The bucket's points, wide, one segment per measurement and UTC day (for export).

        Day by day, as InfluxDB exports shard by shard, so memory holds one day at a time.
        Within a segment, rows are sorted by tag values, then time.
        """
        with self._settled():
            target = self.catalog.bucket(self.catalog.org(org).id, bucket)
            lo, hi = self._visible_range(target, start, stop)
            measurements = self.catalog.measurements(target.id)
        for m in measurements:
            tags = {c.col: c.name for c in m.tags.values()}
            fields = {c.col: c.name for c in m.fields.values()}
            renames = {"time": TIME, **{c: tag_column(n) for c, n in tags.items()},
                       **{c: field_column(n) for c, n in fields.items()}}
            for day in self._days_with_data(target, m, lo, hi):
                day_lo, day_hi = max(lo, day * DAY), min(hi, (day + 1) * DAY)
                with self._lock:
                    parts = self.catalog.partitions(target.id, m.id, day, day)
                    wide = read_wide(self.catalog, m, parts, day_lo, day_hi, list(tags),
                                     list(fields)).collect()
                if wide.height:
                    frame = wide.sort([*tags, "time"], nulls_last=True).rename(renames)
                    yield Segment(m.name, frame, list(tags.values()),
                                  {c.name: c.type for c in m.fields.values()})  # type: ignore[misc]

    def _days_with_data(self, bucket: Bucket, m: Measurement, lo: int, hi: int) -> list[int]:
        """UTC days in [lo, hi) on which a measurement has cold partitions or hot rows."""
        with self._settled():
            days = {p.day for p in self.catalog.partitions(bucket.id, m.id, lo // DAY,
                                                           (hi - 1) // DAY)}
            rows = self.con.execute(
                f"SELECT DISTINCT time // {DAY} FROM {m.hot_table} WHERE time >= ? AND time < ?",
                [lo, hi]).fetchall()
        return sorted(days | {int(d) for (d,) in rows})

    def stats(self, bucket: str, org: str | None = None) -> list[MeasurementStats]:
        """Per measurement: series, points, time span, fields and types."""
        out = []
        with self._settled():
            target = self.catalog.bucket(self.catalog.org(org).id, bucket)
            lo, hi = self._visible_range(target, None, None)
            for m in self.catalog.measurements(target.id):
                tag_cols = [c.col for c in m.tags.values()]
                field_cols = [c.col for c in m.fields.values()]
                parts = self.catalog.partitions(target.id, m.id, lo // DAY, (hi - 1) // DAY)
                wide = read_wide(self.catalog, m, parts, lo, hi, tag_cols, field_cols)
                series = pl.struct(tag_cols).n_unique() if tag_cols else pl.len().clip(0, 1)
                row = wide.select(
                    series.alias("series"), pl.len().alias("points"),
                    pl.col("time").min().alias("first"), pl.col("time").max().alias("last"),
                ).collect().row(0, named=True)
                if row["points"]:
                    out.append(MeasurementStats(
                        m.name, row["series"], row["points"], row["first"], row["last"],
                        {c.name: c.type for c in m.fields.values()},  # type: ignore[misc]
                        list(m.tags)))
        return out

    def _visible_range(self, bucket: Bucket, start: int | None, stop: int | None
                       ) -> tuple[int, int]:
        lo = MIN_TIME if start is None else start
        hi = MAX_TIME if stop is None else stop
        if bucket.retention:
            lo = max(lo, self.clock.now() - bucket.retention)
        return lo, hi

    # -- maintenance ------------------------------------------------------------------------
    def compact(self, full: bool = True) -> CompactionResult:
        """Move every hot row into the Parquet partitions, then merge the files of each day
        that has several into one: of every such day when `full` (what a user's compaction
        asks), else only of days this compaction added nothing to (writes have moved on: a day
        still being written is not rewritten on every compaction) or that passed
        MAX_FILES_PER_DAY files. A compaction the write path began is waited for first.

        Not `full` (the server's maintenance, every minute), the files are written and the days
        merged outside the lock, as the write path's compaction does: writes go on meanwhile
        (under the lock they waited seconds for a day's merge)."""
        result = CompactionResult()
        self.wait_for_compaction()
        with self._lock:
            self._cancel_compaction()
            compaction = self._take()
            if full:
                files = self._write_files(compaction, result)
                self._finish(compaction, files, full, result)
                return result
        self._compact_outside_lock(compaction, result)
        return result

    def _compact_behind(self) -> None:
        """The write path's compaction, once the hot rows pass the threshold: the rows are
        taken under the lock (here, in the writer's thread: a failure to seal the log fails
        the write), then written to Parquet and committed by a thread of its own while
        writes go on (the costly part, sorting and encoding, outside the lock). Readers
        meanwhile have the rows flushed into DuckDB (see _settled); a change of stored rows
        calls it off. It runs beside the day merges of the one before (seconds for a day of
        millions of points, which writers would otherwise wait for once FLUSH_ROWS are
        held), but for the days they merge (_wait_for_merges_of)."""
        with self._lock:
            if (self._compaction is not None or self._hot_rows <= self.compact_threshold
                    or time.monotonic() < self._retry_after):
                return  # another writer's is under way, took the rows since, or failed
            compaction = self._take()
            compactor = threading.Thread(
                target=self._compact_taken, args=(compaction,), name="tsengine-compaction",
                daemon=True)
            self._compactors = [t for t in self._compactors if t.is_alive()] + [compactor]
            compactor.start()

    def _compact_taken(self, compaction: _Compaction) -> None:
        """Write and commit what `_compact_behind` took, then merge the days that need it,
        outside the lock too (DuckDB sorting a day's files: seconds, on a cursor of its
        own), each swapped in under the lock unless called off meanwhile. A failure gives
        the rows back (they stay hot) and is logged, and the write path tries again
        RETRY_SECONDS later."""
        try:
            self._compact_outside_lock(compaction, CompactionResult())
        except Exception:
            self._retry_after = time.monotonic() + RETRY_SECONDS
            log.exception("compaction failed; its rows stay in the hot tier")

    def _compact_outside_lock(self, compaction: _Compaction, result: CompactionResult) -> None:
        """Write and commit a compaction taken (the lock held only to commit), then merge the
        days that need it, each swapped in under the lock unless called off meanwhile."""
        self._wait_for_merges_of(compaction)
        files = self._write_files(compaction, result)
        with self._lock:
            merges = self._finish(compaction, files, False, result, merge_later=True)
            if not merges:
                return
            merging = self._merging = _Merging(frozenset(
                (m.id, parts[0].day) for m, parts in merges))
            con = self.con.cursor()
        try:
            for m, parts in merges:
                self._merge_day(m, parts, result, con, merging)
        finally:
            con.close()
            with self._lock:
                self._merging = None
                merging.over.set()
                if not merging.cancelled:
                    self._tidy()

    def _wait_for_merges_of(self, compaction: _Compaction) -> None:
        """Before a compaction writes its files: if a day merge under way rewrites a day its
        rows fall in (late rows of a day writes had moved past), wait for the merge and take
        that measurement's files again (the merge replaced the day's). Other days' rows go
        on beside the merge: it commits only the files of its own days."""
        with self._lock:
            merging = self._merging
            touched = [] if merging is None else [
                hot for hot in compaction.hot
                if any((hot.m.id, day) in merging.days for day in days_of(hot))]
        if not touched:
            return
        merging.over.wait()  # type: ignore[union-attr]
        with self._lock:
            if not compaction.cancelled:  # (called off: it commits nothing)
                for hot in touched:
                    hot.days = partitions_by_day(self.catalog, hot.m)

    def wait_for_compaction(self, timeout: float | None = None) -> bool:
        """Wait for the write path's compactions under way (and their day merges), if any;
        False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        for compactor in list(self._compactors):
            if compactor is not threading.current_thread():
                compactor.join(None if deadline is None else max(0, deadline - time.monotonic()))
                if compactor.is_alive():
                    return False
        return True

    def _take(self) -> _Compaction:
        """Take every hot row of every measurement, the pending ones (sealing the log) and
        DuckDB's: the compaction is then under way (under the lock)."""
        taken = self._pending.take()
        try:
            hot = []
            for m in self._measurements():
                rows = take_hot_rows(self.catalog, m, taken.tables.get(m.hot_table))
                if rows is not None:
                    hot.append(rows)
        except BaseException:
            self._pending.give_back(taken.tables)
            raise
        self._compaction = _Compaction(taken, hot, self._seq)
        return self._compaction

    def _write_files(self, compaction: _Compaction, result: CompactionResult
                     ) -> list[NewFiles]:
        """The compaction's new files (no catalog use: runs with or without the lock); on
        failure none are left and the compaction is over, its rows held again."""
        files: list[NewFiles] = []
        try:
            for rows in compaction.hot:
                files.append(write_files(self.path, rows, result))
        except BaseException:
            discard(files)
            with self._lock:
                self._end_compaction(compaction, set())
            raise
        return files

    def _finish(self, compaction: _Compaction, files: list[NewFiles], full: bool,
                result: CompactionResult, merge_later: bool = False
                ) -> list[tuple[Measurement, list[Partition]]]:
        """Commit the compaction's files one measurement at a time (under the lock), then
        merge days as `compact` says, or with `merge_later` return them to be merged outside
        the lock; a compaction called off meanwhile only removes its files."""
        if compaction.cancelled:
            discard(files)
            return []
        committed: set[str] = set()
        written_days: dict[str, set[int]] = {}
        try:
            for i, written in enumerate(files):
                try:
                    replaced, days = commit_files(self.catalog, written, compaction.seq)
                except BaseException:
                    discard(files[i + 1:])
                    raise
                committed.add(written.hot.m.hot_table)
                written_days[written.hot.m.hot_table] = days
                self.reaper.add(old.path for old in replaced)
            self._pending.committed(compaction.taken)
        finally:
            self._end_compaction(compaction, committed)
            self._hot_rows = self._count_hot_rows()
        merges = [(m, parts) for m in self._measurements() for parts in self._days_to_merge(
            m, None if full else written_days.get(m.hot_table, set()))]
        if merge_later and self._merging is not None:
            merges = []  # the last one's merges under way: the next compaction merges these
        if merge_later and merges:
            return merges  # the caller merges, then checkpoints and reaps
        for m, parts in merges:
            self._merge_day(m, parts, result, self.con)
        self._tidy()
        return []

    def _end_compaction(self, compaction: _Compaction, committed: set[str]) -> None:
        """The compaction is over: the pending rows it took of tables not `committed` are
        held again."""
        self._give_back(compaction, committed)
        if self._compaction is compaction:
            self._compaction = None
        compaction.over.set()

    def _give_back(self, compaction: _Compaction, committed: set[str] | None = None) -> None:
        """Hold again the pending rows the compaction took (but those of `committed` tables):
        a reader needs them flushed into DuckDB (its commit deletes the hot rows it took,
        there too), or the compaction is over."""
        if compaction.holds_rows:
            self._pending.give_back({name: frame for name, frame in
                                     compaction.taken.tables.items()
                                     if name not in (committed or ())})
            compaction.holds_rows = False

    def _cancel_compaction(self) -> None:
        """Call off the compaction under way, if any: its rows are held again and its files
        removed when it comes to commit them."""
        compaction = self._compaction
        if compaction is not None:
            self._end_compaction(compaction, set())
            compaction.cancelled = True
        if self._merging is not None:
            self._merging.cancelled = True

    def _tidy(self) -> None:
        """After a compaction and its day merges: checkpoint, and delete replaced files."""
        self._checkpoint()
        self.reaper.reap()

    def _checkpoint(self) -> None:
        """Fold the write-ahead log into the database file now that compaction emptied the
        hot tier (cheap then): the log stays bounded by the compaction threshold. Skipped
        when another transaction is open (DuckDB refuses); its own threshold then applies."""
        with suppress(duckdb.Error):
            self.con.execute("CHECKPOINT").fetchall()

    def _days_to_merge(self, m: Measurement, skip: set[int] | None) -> list[list[Partition]]:
        """The files of each day of `m` with several (but the days in `skip`, unless they
        passed MAX_FILES_PER_DAY files), to merge into one each (under the lock)."""
        by_day: dict[int, list[Partition]] = {}
        for p in self.catalog.partitions(m.bucket_id, m.id):
            by_day.setdefault(p.day, []).append(p)
        return [parts for day, parts in by_day.items() if len(parts) >= 2 and not (
            skip is not None and day in skip and len(parts) <= MAX_FILES_PER_DAY)]

    def _merge_day(self, m: Measurement, parts: list[Partition], result: CompactionResult,
                   con: duckdb.DuckDBPyConnection, merging: _Merging | None = None) -> None:
        """Merge one day's files into one and swap them in the manifest; with `merging`, the
        merge runs outside the lock (on a cursor of its own) and is dropped if called off."""
        new = merge_day(con, self.path, m, parts)
        try:
            with self._lock:
                if merging is not None and merging.cancelled:
                    Path(new.path).unlink(missing_ok=True)
                    return
                with self._transaction():
                    for old in parts[1:]:
                        self.catalog.drop_partition(old)
                    self.catalog.replace_partition(parts[0], new)
        except BaseException:
            Path(new.path).unlink(missing_ok=True)
            raise
        self.reaper.add(old.path for old in parts)
        result.files_written += 1

    def enforce_retention(self, now: int | None = None) -> RetentionResult:
        """Delete expired points of every bucket as of `now` (default: the clock's now).

        Only when something has expired: enforcing flushes the pending writes into DuckDB and
        calls off a compaction under way (seconds of the writers' time under sustained writes,
        which the server's maintenance paid every minute even with no retention set)."""
        now = self.clock.now() if now is None else now
        with self._lock:
            if not self._anything_expired(now):
                return RetentionResult()
        with self._settled(changes=True):
            result, dropped = enforce(self.catalog, now)
            self.reaper.add(dropped)
            self._hot_rows = self._count_hot_rows()
            self.reaper.reap()
            return result

    def _anything_expired(self, now: int) -> bool:
        """Whether a bucket with a retention has, as of `now`, a file wholly expired or a hot
        row expired: held in DuckDB, pending, or taken by the compaction under way."""
        taken = self._compaction.taken.tables if self._compaction is not None else {}
        for bucket, cutoff in cutoffs(self.catalog, now):
            if any(p.max_time < cutoff for p in self.catalog.partitions(bucket.id)):
                return True
            for m in self.catalog.measurements(bucket.id):
                ((stored,),) = self.con.execute(
                    f"SELECT min(time) FROM {m.hot_table}").fetchall()
                held = [t for t in (stored, self._pending.oldest(m.hot_table)) if t is not None]
                if m.hot_table in taken and taken[m.hot_table].height:
                    held.append(taken[m.hot_table].get_column("time").min())
                if held and min(held) < cutoff:
                    return True
        return False

    def hot_rows(self) -> int:
        """Rows waiting in the hot tier (pending writes included)."""
        return self._hot_rows

    def _count_hot_rows(self) -> int:
        total = self._pending.rows
        with self._lock:
            for m in self._measurements():
                sql = f"SELECT count(*) FROM {m.hot_table}"
                total += self.con.execute(sql).fetchall()[0][0]
        return total

    def _measurements(self) -> Iterator[Measurement]:
        """Every measurement of every bucket (under the lock)."""
        for org in self.catalog.orgs():
            for bucket in self.catalog.buckets(org.id):
                yield from self.catalog.measurements(bucket.id)


def _retention(value: str | int) -> int:
    ns = parse_duration(value) if isinstance(value, str) else int(value)
    if ns < 0:
        raise InvalidArgument("retention must not be negative")
    if 0 < ns < MIN_RETENTION:
        raise InvalidArgument("retention must be at least 1h (or 0, to keep points forever)")
    return ns
