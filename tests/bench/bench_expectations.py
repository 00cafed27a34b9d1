"""What the bench tests expect of a tiny run: its figures and the results JSON schema; and a
hand-built results object for the report and compare tests."""

from __future__ import annotations

from typing import Any

from tsengine.bench.results import (
    SCHEMA_VERSION,
    BaselineResult,
    BatchTiming,
    BenchResult,
    Compaction,
    DatasetInfo,
    DiskUsage,
    IngestResult,
    Machine,
    QueryResult,
    QueryWorkload,
    Settings,
    TargetInfo,
    TasksResult,
)
from tsengine.bench.stats import Latency

# A tiny run: 4 sensors and a machine for 2 hours, every 30 s (1,200 points), in 3 batches.
TINY = {"scale": 4, "duration": "2h", "interval": "30s", "batch_size": 500, "query_rounds": 2}
TINY_POINTS = 5 * 240
QUERIES = ["last_point", "mean_10m_day", "location_hourly_max", "pivot_fields",
           "tag_filtered_range", "group_by_all"]
# rows each query answers on the tiny data (sensors 0..3: us-east, us-west, eu-central,
# ap-south; location us-east-site-01 has sensor 0)
TINY_ROWS = {"last_point": 4 * 5, "mean_10m_day": 4 * 12, "location_hourly_max": 2,
             "pivot_fields": 4 * 120, "tag_filtered_range": 120, "group_by_all": 4 * 2}

NUM = (int, float)
LATENCY = {"count": int, "min": (*NUM, None), "mean": (*NUM, None), "p50": (*NUM, None),
           "p95": (*NUM, None), "p99": (*NUM, None), "max": (*NUM, None)}
RSS = (int, None)
SCHEMA: dict[str, Any] = {
    "schema_version": int,
    "started_at": str,
    "command_line": [str],
    "machine": {"platform": str, "processor": str, "cpus": int, "memory_bytes": (int, None),
                "python": str, "versions": {"tsengine": str}},
    "target": {"kind": str, "url": (str, None), "org": (str, None), "bucket": str,
               "data_dir": (str, None), "rss_of": str},
    "dataset": {"source": str, "path": (str, None), "scale": (int, None),
                "duration": (str, None), "interval": (str, None), "seed": (int, None),
                "points": int, "bytes": int, "start": (str, None), "stop": (str, None)},
    "settings": {"workloads": [str], "batch_size": int, "concurrency": int, "precision": str,
                 "query_rounds": int, "baseline": (str, None)},
    "ingest": ({"status": str, "error": (str, None), "points": int, "bytes": int,
                "batches": int, "seconds": NUM, "points_per_second": NUM,
                "bytes_per_second": NUM, "latency": LATENCY, "peak_rss_bytes": RSS,
                "compaction": ({"seconds": NUM, "files_written": int, "peak_rss_bytes": RSS},
                               None),
                "batch_timeline": [{"done_at": NUM, "seconds": NUM, "points": int}]}, None),
    "query": ({"status": str, "reason": (str, None),
               "queries": [{"name": str, "description": str, "language": str, "text": str,
                            "rounds": int, "latency": LATENCY, "rows": int,
                            "peak_rss_bytes": RSS, "error": (str, None),
                            "baseline": ({"engine": str, "text": str, "latency": LATENCY,
                                          "rows": int, "ratio": (*NUM, None),
                                          "round_seconds": [NUM]}, None),
                            "round_seconds": [NUM]}]},
              None),
    "tasks": ({"status": str, "reason": (str, None), "tasks": [str], "runs": int,
               "succeeded": int, "failed": int, "seconds": NUM,
               "runs_per_second": (*NUM, None), "latency": LATENCY, "peak_rss_bytes": RSS,
               "run_seconds": [NUM]},
              None),
    "disk": ({"measured": str, "path": (str, None), "bytes": int, "apparent_bytes": int,
              "files": int, "field_values": int, "bytes_per_field_value": (*NUM, None),
              "hot_rows": (int, None), "hot_field_values": (int, None),
              "catalog_bytes": (int, None), "wal_bytes": (int, None), "error": (str, None)},
             None),
}


def schema_problems(value: Any, spec: Any = SCHEMA, where: str = "$") -> list[str]:
    """Where `value` breaks `spec`: a dict spec needs every key, a one-item list spec types
    every item, a tuple is a choice (None: null allowed), a type is an isinstance check
    (bool is never an int)."""
    if isinstance(spec, tuple):
        for choice in spec:
            if choice is None and value is None:
                return []
            if choice is not None and not schema_problems(value, choice, where):
                return []
        return [f"{where}: {value!r} is none of {spec}"]
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return [f"{where}: expected an object, got {type(value).__name__}"]
        out = []
        for key, sub in spec.items():
            if key not in value:
                out.append(f"{where}.{key}: missing")
            else:
                out += schema_problems(value[key], sub, f"{where}.{key}")
        return out
    if isinstance(spec, list):
        if not isinstance(value, list):
            return [f"{where}: expected a list, got {type(value).__name__}"]
        return [p for i, v in enumerate(value) for p in schema_problems(v, spec[0],
                                                                         f"{where}[{i}]")]
    if isinstance(value, bool) and spec is not bool:
        return [f"{where}: {value!r} is a bool, expected {spec.__name__}"]
    if not isinstance(value, spec):
        return [f"{where}: {value!r} is not {spec.__name__}"]
    return []




def sample_result(speed: float = 1.0, kind: str = "embedded") -> BenchResult:
    """A small run's results built by hand (no engine: fast), its timings divided by `speed`:
    two queries (one with a DuckDB baseline), three batches, four task runs."""
    def scaled(values: list[float]) -> list[float]:
        return [v / speed for v in values]

    timeline = [BatchTiming(t / speed, s / speed, 500) for t, s in
                ((0.05, 0.04), (0.09, 0.05), (0.12, 0.03))]
    ingest = IngestResult("ok", None, 1500, 150_000, 3, 0.12 / speed, 1500 * speed / 0.12,
                          150_000 * speed / 0.12, Latency.of([b.seconds for b in timeline]),
                          200 * 2**20, Compaction(0.01, 1, 210 * 2**20), timeline)
    queries = []
    for name, rounds in (("last_point", [0.010, 0.012, 0.011]),
                         ("mean_10m_day", [0.020, 0.025, 0.022])):
        queries.append(QueryResult(name, f"the {name} query", "flux", f"from() |> {name}", 3,
                                   Latency.of(scaled(rounds)), 4, 220 * 2**20,
                                   round_seconds=scaled(rounds)))
    base = [0.004, 0.005, 0.004]
    queries[0].baseline = BaselineResult("duckdb", "SELECT 1", Latency.of(base), 4,
                                         queries[0].latency.p50 / Latency.of(base).p50, base)
    runs = scaled([0.3, 0.4, 0.2, 0.1])
    tasks = TasksResult("ok", None, ["iot_sensor_rollup", "hourly_rollup"], 4, 4, 0, sum(runs),
                        4 / sum(runs), Latency.of(runs), 230 * 2**20, runs)
    url = None if kind == "embedded" else "http://127.0.0.1:8086"
    return BenchResult(
        SCHEMA_VERSION, "2024-05-01T12:00:00Z", ["tsengine", "bench", "run", "--scale", "4"],
        Machine("Linux-test", "Test CPU 3000", 2, 4 * 2**30, "3.11.9", {"tsengine": "0.1.0"}),
        TargetInfo(kind, url, None, "bench", None, "the harness process"),
        DatasetInfo("generated", None, 4, "2h", "30s", 42, 1500, 150_000,
                    "2024-01-01T00:00:00Z", "2024-01-01T02:00:00Z"),
        Settings(["ingest", "query", "tasks"], 500, 2, "ns", 3, "duckdb"),
        ingest, QueryWorkload("ok", None, queries), tasks,
        DiskUsage("the bucket's Parquet files", "/data", 9_000_000, 8_800_000, 2, 7_500_000,
                  1.2, 0, 0, 300_000))
