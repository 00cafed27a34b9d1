"""What a `bench run` measured, as a tree of dataclasses serialised to JSON (`--json`), so runs
on different targets and machines can be compared file against file."""

from __future__ import annotations

import contextlib
import json
import os
import platform
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path

from tsengine.bench.stats import Latency

SCHEMA_VERSION = 3
# 2: the raw timings behind every distribution (ingest.batch_timeline, round_seconds of each
# query and baseline, tasks.run_seconds), so a report can plot them
# 3: `disk`, the bucket's bytes on disk per field value after ingest (and compaction);
# target.data_dir also names a server's data directory given with --target-data-dir


@dataclass
class Machine:
    """Where the run happened: enough to tell two machines' figures apart."""

    platform: str
    processor: str
    cpus: int
    memory_bytes: int | None
    python: str
    versions: dict[str, str]

    @classmethod
    def here(cls) -> Machine:
        versions = {}
        for package in ("tsengine", "polars", "duckdb", "httpx"):
            with contextlib.suppress(metadata.PackageNotFoundError):
                versions[package] = metadata.version(package)
        return cls(platform.platform(), _cpu_model(), os.cpu_count() or 1, _memory(),
                   platform.python_version(), versions)


@dataclass
class TargetInfo:
    """What was measured: the embedded engine, an InfluxDB v2 API or an InfluxDB 1.x API."""

    kind: str  # embedded | influxdb2 | influxdb1
    url: str | None
    org: str | None
    bucket: str
    data_dir: str | None
    rss_of: str  # whose memory the peak_rss_bytes figures are


@dataclass
class DatasetInfo:
    """The points written (or expected) and the time span the queries and tasks cover."""

    source: str  # generated | file
    path: str | None
    scale: int | None
    duration: str | None
    interval: str | None
    seed: int | None
    points: int
    bytes: int
    start: str | None
    stop: str | None


@dataclass
class Settings:
    workloads: list[str]
    batch_size: int
    concurrency: int
    precision: str
    query_rounds: int
    baseline: str | None


@dataclass
class Compaction:
    """The hot tier moved into Parquet after an embedded ingest: reported beside, not in, it."""

    seconds: float
    files_written: int
    peak_rss_bytes: int | None


@dataclass
class DiskUsage:
    """The bucket's files after ingest (embedded: after compaction) and the field values they
    hold: a field value is one field of one point (a line of five fields holds five)."""

    measured: str  # which files: the bucket's Parquet files, influxd's files of the database
    path: str | None  # the data directory they were found in
    bytes: int  # allocated on disk, as du counts (a sparse preallocated file counts its blocks)
    apparent_bytes: int  # the files' lengths
    files: int
    field_values: int  # embedded: non-null values in the Parquet files; influxdb1: count(*)
    bytes_per_field_value: float | None
    hot_rows: int | None = None  # embedded: rows still in the hot tier (0 after compaction)
    hot_field_values: int | None = None
    catalog_bytes: int | None = None  # embedded: catalog.duckdb (manifest, hot tiers; any bucket)
    wal_bytes: int | None = None  # influxdb1: of `bytes`, WAL not yet snapshotted into TSM files
    error: str | None = None


@dataclass
class BatchTiming:
    """One acknowledged batch: when it completed (seconds since the ingest clock started),
    how long its write took and how many points it carried, for throughput over time."""

    done_at: float
    seconds: float
    points: int


@dataclass
class IngestResult:
    """Writes timed from the first send to the last acknowledgement."""

    status: str  # ok | failed
    error: str | None
    points: int
    bytes: int
    batches: int
    seconds: float
    points_per_second: float
    bytes_per_second: float
    latency: Latency
    peak_rss_bytes: int | None
    compaction: Compaction | None = None
    batch_timeline: list[BatchTiming] = field(default_factory=list)  # in completion order


@dataclass
class BaselineResult:
    """The same question as hand-written SQL over the same Parquet files."""

    engine: str
    text: str
    latency: Latency
    rows: int
    ratio: float | None  # this query's p50 / the baseline's p50
    round_seconds: list[float] = field(default_factory=list)  # each timed round, in order


@dataclass
class QueryResult:
    name: str
    description: str
    language: str  # flux | influxql
    text: str
    rounds: int
    latency: Latency
    rows: int
    peak_rss_bytes: int | None
    error: str | None = None
    baseline: BaselineResult | None = None
    round_seconds: list[float] = field(default_factory=list)  # each timed round, in order


@dataclass
class QueryWorkload:
    status: str  # ok | failed | unsupported
    reason: str | None
    queries: list[QueryResult] = field(default_factory=list)


@dataclass
class TasksResult:
    """The example rollup pipeline run window by window over the data's span."""

    status: str  # ok | failed | unsupported
    reason: str | None
    tasks: list[str]
    runs: int
    succeeded: int
    failed: int
    seconds: float
    runs_per_second: float | None
    latency: Latency
    peak_rss_bytes: int | None
    run_seconds: list[float] = field(default_factory=list)  # each finished run, in order


@dataclass
class BenchResult:
    schema_version: int
    started_at: str
    command_line: list[str]
    machine: Machine
    target: TargetInfo
    dataset: DatasetInfo
    settings: Settings
    ingest: IngestResult | None = None
    query: QueryWorkload | None = None
    tasks: TasksResult | None = None
    disk: DiskUsage | None = None

    def to_dict(self) -> dict[str, object]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, allow_nan=False) + "\n"

    def write_json(self, path: str | Path) -> None:
        Path(path).write_text(self.to_json())


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
