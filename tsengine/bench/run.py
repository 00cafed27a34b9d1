"""`bench run` as a library call: stage the points, open the target, run the chosen workloads
in order (ingest, query, tasks) and return what they measured as a `BenchResult`."""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from storage import format_time, parse_duration, parse_time
from tsengine.bench.baseline import DuckDBBaseline
from tsengine.bench.disk import embedded_disk, influxdb1_disk
from tsengine.bench.generate import TelemetrySpec, auto_chunk_intervals
from tsengine.bench.http_targets import InfluxV1Target
from tsengine.bench.progress import Progress, no_progress
from tsengine.bench.queries import query_set
from tsengine.bench.results import (
    SCHEMA_VERSION,
    BenchResult,
    Compaction,
    DatasetInfo,
    DiskUsage,
    Machine,
    Settings,
    TargetInfo,
)
from tsengine.bench.source import (
    Span,
    Staged,
    batch_cuts,
    read_batches,
    stage_file,
    stage_generated,
)
from tsengine.bench.stats import peak_rss_bytes
from tsengine.bench.targets import BenchError, EmbeddedTarget, open_target
from tsengine.bench.workloads.ingest import run_ingest
from tsengine.bench.workloads.query import run_queries
from tsengine.bench.workloads.tasks import run_tasks

WORKLOADS = ("ingest", "query", "tasks")
SETTLE_INFLUXDB1 = 120.0
SENSORS_PER_MACHINE = 10


@dataclass
class BenchConfig:
    """What to run against what; the defaults are `tsengine bench run`'s."""

    target: str = "embedded"
    token: str | None = None
    org: str | None = None
    bucket: str = "bench"
    workloads: tuple[str, ...] = WORKLOADS
    scale: int = 100
    duration: str = "24h"
    interval: str = "10s"
    seed: int = 42
    start: str = "2024-01-01T00:00:00Z"
    input: Path | None = None
    batch_size: int = 5000
    concurrency: int = 2
    precision: str = "ns"
    query_rounds: int = 5
    baseline: str | None = None
    data_dir: Path | None = None
    target_data_dir: Path | None = None  # influxd's local directory: its size is measured
    # after ingest, before disk and queries: influxdb1 with target_data_dir waits at most this
    # long for influxd's compaction (default SETTLE_INFLUXDB1), another server target sleeps it
    settle_seconds: float | None = None
    server_pid: int | None = None
    command_line: list[str] = field(default_factory=lambda: list(sys.argv))

    def spec(self) -> TelemetrySpec:
        """The generator's spec (machines: one per SENSORS_PER_MACHINE sensors, as `bench
        generate` does)."""
        step, span = parse_duration(self.interval), parse_duration(self.duration)
        if step <= 0 or span < step:
            raise BenchError(f"--duration {self.duration} must hold at least one --interval "
                             f"({self.interval})")
        return TelemetrySpec(sensors=self.scale, start=parse_time(self.start), interval=step,
                             intervals=span // step, seed=self.seed,
                             machines=max(1, self.scale // SENSORS_PER_MACHINE))


def run_bench(config: BenchConfig, progress: Progress = no_progress,
              log: Callable[[str], None] = lambda _: None) -> BenchResult:
    """Run the configured workloads and return their figures (the JSON of `--json`)."""
    unknown = set(config.workloads) - set(WORKLOADS)
    if unknown or not config.workloads:
        raise BenchError(f"unknown workload(s) {', '.join(sorted(unknown)) or '(none)'}: "
                         f"choose from {', '.join(WORKLOADS)}")
    if config.baseline not in (None, "duckdb"):
        raise BenchError(f"unknown baseline {config.baseline!r}: only duckdb")
    if config.baseline and config.target != "embedded":
        raise BenchError("--baseline duckdb reads the embedded engine's Parquet files: it needs "
                         "--target embedded")
    if config.target_data_dir is not None and not config.target.startswith("influxdb1+"):
        raise BenchError("--target-data-dir measures an InfluxDB 1.x server's directory (the "
                         "embedded target measures its own Parquet files): it needs --target "
                         "influxdb1+URL")
    started_at = format_time(time.time_ns() // 1_000_000_000 * 1_000_000_000)
    work = Path(tempfile.mkdtemp(prefix="tsengine-bench-"))
    try:
        return _run(config, work, started_at, progress, log)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(config: BenchConfig, work: Path, started_at: str, progress: Progress,
         log: Callable[[str], None]) -> BenchResult:
    workloads = [w for w in WORKLOADS if w in config.workloads]
    spec = None if config.input else config.spec()
    target = open_target(config.target, bucket=config.bucket,
                         data_dir=config.data_dir or work / "data", token=config.token,
                         org=config.org, server_pid=config.server_pid)
    try:
        staged = _stage(config, spec, work, "ingest" in workloads, progress, log)
    except BaseException:
        target.close()
        raise
    span = staged.span if staged else Span(spec.start, spec.start + spec.intervals * spec.interval
                                           ) if spec else None
    result = BenchResult(
        SCHEMA_VERSION, started_at, config.command_line, Machine.here(),
        TargetInfo(target.kind, target.url, target.org, config.bucket,
                   str(config.data_dir) if isinstance(target, EmbeddedTarget) and
                   config.data_dir else str(config.target_data_dir)
                   if config.target_data_dir else None, target.rss_of),
        _dataset(config, spec, staged, span),
        Settings(workloads, config.batch_size, config.concurrency, config.precision,
                 config.query_rounds, config.baseline))
    with target:
        target.prepare(create="ingest" in workloads)
        if staged is not None and "ingest" in workloads:
            log(f"ingest: {staged.lines:,} points in batches of {config.batch_size:,} from "
                f"{config.concurrency} client(s)")
            cuts = batch_cuts(staged.path, config.batch_size)
            result.ingest = run_ingest(
                target, read_batches(staged.path, cuts), total_batches=len(cuts),
                concurrency=config.concurrency, precision=config.precision, progress=progress)
        if result.ingest is not None and result.ingest.status == "failed":
            return result  # the report says why; queries over part of the data would mislead
        if isinstance(target, EmbeddedTarget):
            # every hot row into Parquet before the files are measured and queried (ingest
            # compacts on its own only past the hot tier's threshold)
            compaction = _compact(target)
            if result.ingest:
                result.ingest.compaction = compaction
            result.disk = embedded_disk(target.engine.store, config.bucket)
        elif isinstance(target, InfluxV1Target) and config.target_data_dir is not None:
            settle = SETTLE_INFLUXDB1 if config.settle_seconds is None else config.settle_seconds
            log(f"disk: waiting up to {settle:g} s for influxd to compact")
            result.disk = _influxdb1_disk(target, config, settle)
        elif config.settle_seconds and result.ingest is not None:
            # a server compacts on its own schedule (tsengine serve: every 60 s), unseen here
            log(f"waiting {config.settle_seconds:g} s for the server to compact")
            time.sleep(config.settle_seconds)
        if "query" in workloads:
            if span is None:
                raise BenchError("the data's time span is unknown: give --input or the "
                                 "generator's options")
            baseline = None
            if config.baseline and isinstance(target, EmbeddedTarget):
                baseline = DuckDBBaseline(target.engine.store, config.bucket)
            try:
                result.query = run_queries(target, query_set(config.bucket, span.start,
                                                             span.stop),
                                           rounds=config.query_rounds, baseline=baseline,
                                           progress=progress)
            finally:
                if baseline is not None:
                    baseline.close()
        if "tasks" in workloads and span is not None:
            result.tasks = run_tasks(target, span, progress)
    return result


def _stage(config: BenchConfig, spec: TelemetrySpec | None, work: Path, ingest: bool,
           progress: Progress, log: Callable[[str], None]) -> Staged | None:
    """The points to send, as a plain file, prepared before any clock starts."""
    if config.input is not None:
        if not config.input.exists():
            raise BenchError(f"--input {config.input}: no such file")
        log(f"reading {config.input}")
        return stage_file(config.input, work, config.precision)
    if not ingest or spec is None:
        return None
    log(f"generating {spec.points:,} points ({spec.sensors:,} sensors, {spec.machines:,} "
        f"machines)")
    chunks = -(-spec.intervals // auto_chunk_intervals(spec))
    with progress("generating", chunks) as bar:
        return stage_generated(spec, work, _ticks(bar.update))


def _ticks(update: Callable[[int], None]) -> Iterator[None]:
    while True:
        update(1)
        yield None


def _compact(target: EmbeddedTarget) -> Compaction:
    """The hot tier into Parquet, timed on its own (queries and the baseline read the files)."""
    began = time.perf_counter()
    done = target.engine.compact()
    return Compaction(time.perf_counter() - began, done.files_written, peak_rss_bytes())


def _influxdb1_disk(target: InfluxV1Target, config: BenchConfig, settle: float) -> DiskUsage:
    """The database's files under --target-data-dir, or why they could not be counted."""
    assert config.target_data_dir is not None
    try:
        values = target.field_values()
    except BenchError as e:
        return DiskUsage("influxd's files of the database", str(config.target_data_dir), 0, 0,
                         0, 0, None, error=f"counting the field values: {e}")
    return influxdb1_disk(config.target_data_dir, config.bucket, values, settle)


def _dataset(config: BenchConfig, spec: TelemetrySpec | None, staged: Staged | None,
             span: Span | None) -> DatasetInfo:
    generated = spec is not None
    return DatasetInfo(
        "generated" if generated else "file", None if generated else str(config.input),
        config.scale if generated else None, config.duration if generated else None,
        config.interval if generated else None, config.seed if generated else None,
        staged.lines if staged else spec.points if spec else 0,
        staged.bytes if staged else 0,
        format_time(span.start) if span else None, format_time(span.stop) if span else None)
