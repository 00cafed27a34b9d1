"""The Engine: tsengine as a library. The CLI and (later) the HTTP server are thin skins over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import polars as pl

from storage import (
    Bucket,
    Clock,
    DeleteResult,
    MeasurementStats,
    PointBatch,
    Store,
    WriteResult,
    format_segment,
    parse_delete_predicate,
    parse_time,
)
from storage.compaction import CompactionResult
from storage.retention import RetentionResult
from tsengine.encode.annotated_csv import Dialect, encode_results
from tsengine.execute.query import plan_query, run_query
from tsengine.execute.table import Table
from tsengine.plan.planner import explain
from tsengine.tasks.scheduler import SchedulerSettings
from tsengine.tasks.service import TaskService

TimeArg = int | str | None


class Engine:
    """An open data directory: buckets, writes, exports and maintenance."""

    def __init__(self, store: Store, task_settings: SchedulerSettings | None = None) -> None:
        self.store = store
        self._task_settings = task_settings
        self._tasks: TaskService | None = None

    @classmethod
    def open(cls, data_dir: str | Path, *, clock: Clock | None = None,
             compact_threshold: int | None = None,
             task_settings: SchedulerSettings | None = None) -> Engine:
        """Open a data directory, creating it (with its default organization) if needed.
        `task_settings`: the scheduler's instance limits (concurrency, retries, catch-up)."""
        kwargs: dict[str, object] = {"clock": clock}
        if compact_threshold is not None:
            kwargs["compact_threshold"] = compact_threshold
        return cls(Store.open(data_dir, **kwargs), task_settings)

    @property
    def tasks(self) -> TaskService:
        """Tasks: create and find them, their runs and logs, manual runs, backfill, and the
        scheduler (`engine.tasks.tick(now)`)."""
        if self._tasks is None:
            self._tasks = TaskService(self.store, self._task_settings)
        return self._tasks

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- buckets ----------------------------------------------------------------------------
    def create_bucket(self, name: str, retention: str | int = 0, description: str = "",
                      org: str | None = None) -> Bucket:
        """Create a bucket; `retention` like `7d` or `12h`, `0` to keep points forever."""
        return self.store.create_bucket(name, retention, description, org)

    def buckets(self, org: str | None = None) -> list[Bucket]:
        return self.store.buckets(org)

    def bucket(self, name: str, org: str | None = None) -> Bucket:
        return self.store.bucket(name, org)

    def update_bucket(self, name: str, *, new_name: str | None = None,
                      retention: str | int | None = None, description: str | None = None,
                      org: str | None = None) -> Bucket:
        return self.store.update_bucket(name, new_name=new_name, retention=retention,
                                        description=description, org=org)

    def delete_bucket(self, name: str, org: str | None = None) -> None:
        self.store.delete_bucket(name, org)

    # -- data -------------------------------------------------------------------------------
    def write(self, bucket: str, line_protocol: str | bytes | PointBatch, precision: str = "ns",
              org: str | None = None) -> WriteResult:
        """Write line protocol; see `WriteResult` for points written and dropped."""
        return self.store.write(bucket, line_protocol, precision, org)

    def delete(self, bucket: str, start: TimeArg, stop: TimeArg, predicate: str | None = None,
               org: str | None = None) -> DeleteResult:
        """Delete points with time in [start, stop] (both ends included, as InfluxDB's delete)
        of the series an InfluxDB delete predicate selects (`_measurement="cpu" AND
        host="a"`; none: every series). A predicate InfluxDB refuses raises
        DeletePredicateError (or DeleteByFieldUnsupported for `_field`), deleting nothing."""
        pred = parse_delete_predicate(predicate)
        return self.store.delete(bucket, self._time(start), self._time(stop), pred, org)

    def export_lines(self, bucket: str, start: TimeArg = None, stop: TimeArg = None,
                     org: str | None = None) -> Iterator[str]:
        """The bucket's points in [start, stop) as canonical line-protocol lines."""
        lo, hi = self._time(start), self._time(stop)
        for seg in self.store.segments(bucket, lo, hi, org):
            yield from format_segment(seg).to_list()

    def export(self, bucket: str, start: TimeArg = None, stop: TimeArg = None,
               org: str | None = None) -> str:
        """The bucket's points in [start, stop) as one line-protocol text."""
        return "".join(line + "\n" for line in self.export_lines(bucket, start, stop, org))

    def export_to(self, out: TextIO, bucket: str, start: TimeArg = None, stop: TimeArg = None,
                  org: str | None = None) -> int:
        """Stream an export to a text file; return the number of lines written."""
        count = 0
        for seg in self.store.segments(bucket, self._time(start), self._time(stop), org):
            lines = format_segment(seg)
            if len(lines):
                out.write("\n".join(lines.to_list()) + "\n")
                count += len(lines)
        return count

    def stats(self, bucket: str, org: str | None = None) -> list[MeasurementStats]:
        """Per measurement: series, points, time span, fields and their types."""
        return self.store.stats(bucket, org)

    # -- queries ----------------------------------------------------------------------------
    def query(self, flux: str, *, now: TimeArg = None,
              disabled_rules: tuple[str, ...] = ()) -> dict[str, list[Table]]:
        """Run a Flux script: its results by name, each a list of tables (group key + frame)."""
        results = run_query(self.store, flux, now=self._time(now), disabled_rules=disabled_rules)
        return {r.name: list(r.stream.tables()) for r in results}

    def query_csv(self, flux: str, *, now: TimeArg = None, dialect: Dialect | None = None,
                  disabled_rules: tuple[str, ...] = ()) -> str:
        """The results as InfluxDB's /api/v2/query answers them: annotated CSV."""
        results = run_query(self.store, flux, now=self._time(now), disabled_rules=disabled_rules)
        return encode_results([(r.name, r.stream) for r in results],
                              dialect or Dialect(annotations=("datatype", "group", "default")))

    def query_frame(self, flux: str, *, now: TimeArg = None) -> pl.DataFrame:
        """All rows of all results in one frame, with `result` and `table` columns first
        (the pandas-free equivalent of influxdb-client's `query_data_frame`)."""
        frames = []
        for name, tables in self.query(flux, now=now).items():
            for i, table in enumerate(tables):
                frames.append(table.frame.select(pl.lit(name).alias("result"),
                                                 pl.lit(i, pl.Int64).alias("table"), pl.all()))
        return pl.concat(frames, how="diagonal") if frames else pl.DataFrame()

    def explain(self, flux: str, *, now: TimeArg = None,
                disabled_rules: tuple[str, ...] = ()) -> str:
        """Each result's plan after the planner's rules: what was pushed into storage."""
        _, planned = plan_query(self.store, flux, now=self._time(now),
                                disabled_rules=disabled_rules)
        return "\n".join(f"{name}:\n{explain(plan, 1)}" for name, plan in planned)

    # -- maintenance ------------------------------------------------------------------------
    def compact(self, full: bool = True) -> CompactionResult:
        """Move the hot tier into Parquet partitions now and merge each day's files into one
        (`full=False`: only of days this compaction added nothing to; see Store.compact)."""
        return self.store.compact(full)

    def enforce_retention(self, now: TimeArg = None) -> RetentionResult:
        """Delete points that buckets' retention periods have expired."""
        return self.store.enforce_retention(self._time(now))

    def _time(self, value: TimeArg) -> int | None:
        if value is None or isinstance(value, int):
            return value
        return parse_time(value, now=self.store.clock.now())
