"""`tsengine bench run` end to end on the embedded engine: the CLI (table, --json) and the
Python API, every workload, the DuckDB baseline, and the results JSON against its schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_expectations import QUERIES, TINY_POINTS, TINY_ROWS, schema_problems
from click.testing import CliRunner

from tsengine import Engine
from tsengine.bench.results import SCHEMA_VERSION
from tsengine.bench.run import BenchConfig, run_bench
from tsengine.bench.targets import BenchError
from tsengine.cli.main import cli


def test_cli_runs_every_workload_with_the_baseline(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    result = CliRunner().invoke(cli, [
        "bench", "run", "--scale", "4", "--duration", "2h", "--interval", "30s",
        "--batch-size", "500", "--query-rounds", "2", "--baseline", "duckdb",
        "--data-dir", str(tmp_path / "data"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    table = result.stdout
    assert "tsengine bench: the embedded engine, bucket bench" in table
    for word in ("ingest", "compaction", *QUERIES, "iot_sensor_rollup + hourly_rollup",
                 "duckdb p50 ms", "peak RSS MB", "bytes/field value"):
        assert word in table
    doc = json.loads(out.read_text())
    assert schema_problems(doc) == []
    assert doc["schema_version"] == SCHEMA_VERSION
    disk = doc["disk"]  # five fields a point, every one in Parquet after the compaction
    assert (disk["field_values"], disk["hot_rows"], disk["error"]) == (TINY_POINTS * 5, 0, None)
    assert disk["files"] == doc["ingest"]["compaction"]["files_written"]
    assert disk["bytes"] >= disk["apparent_bytes"] > 0 and disk["catalog_bytes"] > 0
    assert disk["bytes_per_field_value"] == pytest.approx(disk["bytes"] / disk["field_values"])
    assert doc["ingest"]["points"] == TINY_POINTS and doc["ingest"]["batches"] == 3
    assert doc["ingest"]["compaction"]["files_written"] >= 1
    queries = {q["name"]: q for q in doc["query"]["queries"]}
    assert list(queries) == QUERIES
    for name, q in queries.items():
        assert q["error"] is None and q["rows"] == TINY_ROWS[name], name
        assert q["latency"]["count"] == 2 and q["peak_rss_bytes"] > 0
        assert q["baseline"]["engine"] == "duckdb" and q["baseline"]["ratio"] > 0
        if name != "last_point":  # DuckDB answers the last values one row per sensor
            assert q["baseline"]["rows"] == q["rows"], name
    tasks = doc["tasks"]
    assert (tasks["status"], tasks["runs"], tasks["succeeded"]) == ("ok", 4, 4)
    assert tasks["latency"]["count"] == 4 and tasks["runs_per_second"] > 0


def test_python_api_and_what_the_tasks_wrote(tiny: BenchConfig) -> None:
    result = run_bench(tiny)
    assert result.ingest is not None and result.ingest.status == "ok"
    ingest = result.ingest
    assert ingest.points == TINY_POINTS and ingest.bytes == result.dataset.bytes > 0
    assert ingest.points_per_second == pytest.approx(ingest.points / ingest.seconds)
    assert ingest.latency.count == 3 and ingest.latency.p50 is not None
    assert ingest.latency.min <= ingest.latency.p50 <= ingest.latency.p99 <= ingest.latency.max
    assert result.query is not None and result.query.status == "ok"
    assert all(q.baseline is None for q in result.query.queries)
    assert result.tasks is not None and result.tasks.status == "ok"
    assert schema_problems(json.loads(result.to_json())) == []
    with Engine.open(tiny.data_dir) as engine:  # the data directory is kept when given
        assert {b.name for b in engine.buckets()} >= {"bench", "bench_rollup_10m",
                                                       "bench_rollup_1h"}
        (hourly,) = [s for s in engine.stats("bench_rollup_1h")]
        assert hourly.points == 4 * 2  # rows: 4 sensors x 2 hours, 4 fields each
        assert engine.tasks.find() == []  # the bench's tasks are removed afterwards


def test_queries_alone_on_an_existing_bucket(tiny: BenchConfig) -> None:
    tiny.workloads = ("ingest",)
    run_bench(tiny)
    tiny.workloads = ("query",)
    tiny.baseline = "duckdb"
    result = run_bench(tiny)
    assert result.ingest is None and result.tasks is None and result.query is not None
    assert {q.name: q.rows for q in result.query.queries} == TINY_ROWS
    tiny.workloads = ("ingest",)
    with pytest.raises(BenchError, match="exists"):
        run_bench(tiny)


def test_hot_rows_are_compacted_before_the_queries_and_the_disk(tiny: BenchConfig) -> None:
    tiny.workloads = ("ingest",)
    first = run_bench(tiny)
    assert first.disk is not None and first.disk.field_values == TINY_POINTS * 5
    with Engine.open(tiny.data_dir) as engine:  # a late point, waiting in the hot tier
        engine.write("bench", "environmental_sensors,location=l,region=us-east,sensor_id=s "
                     "humidity=1.5,temperature=20 1704067200000000000")
        assert engine.store.hot_rows() == 1
    tiny.workloads = ("query",)
    result = run_bench(tiny)
    assert result.disk is not None and result.disk.hot_rows == 0
    assert result.disk.field_values == TINY_POINTS * 5 + 2
    assert result.query is not None
    assert {q.name: q.rows for q in result.query.queries}["tag_filtered_range"] == 120


def test_input_file(tiny: BenchConfig, tmp_path: Path) -> None:
    path = tmp_path / "in.lp"
    path.write_text("".join(f"environmental_sensors,location=l,region=us-east,sensor_id=s "
                            f"humidity={i}.5,temperature=2{i} {1_704_067_200 + 60 * i}\n"
                            for i in range(10)))
    tiny.input = path
    tiny.precision = "s"
    tiny.workloads = ("ingest", "query")
    result = run_bench(tiny)
    assert result.dataset.source == "file" and result.dataset.points == 10
    assert result.dataset.start == "2024-01-01T00:00:00Z"
    assert result.ingest is not None and result.ingest.points == 10
    assert result.query is not None
    assert {q.name: q.rows for q in result.query.queries}["tag_filtered_range"] == 10


def test_refusals() -> None:
    runner = CliRunner()
    for args, message in (
            (["--workload", "ingest,bogus"], "unknown workload(s) bogus"),
            (["--target", "http://127.0.0.1:1", "--baseline", "duckdb"], "needs --target embedded"),
            (["--target", "ftp://x"], "unknown target"),
            (["--duration", "1s"], "must hold at least one --interval"),
            (["--target-data-dir", "."], "it needs --target influxdb1+URL")):
        result = runner.invoke(cli, ["bench", "run", "-q", *args])
        assert result.exit_code == 1 and message in result.output, result.output


def test_failed_ingest_is_reported_not_raised(tiny: BenchConfig, tmp_path: Path) -> None:
    path = tmp_path / "bad.lp"
    path.write_text("m f=1 1\nthis is not line protocol\n")
    tiny.input, tiny.workloads, tiny.baseline = path, ("ingest", "query"), "duckdb"
    result = run_bench(tiny)
    assert result.ingest is not None and result.ingest.status == "failed"
    assert result.ingest.error and result.ingest.points == 0
    assert result.query is None and result.disk is None  # nothing measured over partial data
