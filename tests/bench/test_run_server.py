"""`bench run` over HTTP: against a real `tsengine serve` subprocess (InfluxDB v2 API), and the
InfluxDB 1.x target's requests against a stand-in 1.x server (httpx's mock transport)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from bench_expectations import QUERIES, TINY, TINY_POINTS, TINY_ROWS, schema_problems
from click.testing import CliRunner

from tsengine.bench.http_targets import InfluxV1Target, count_csv_rows
from tsengine.bench.run import BenchConfig, run_bench
from tsengine.bench.server import RunningServer, start_server
from tsengine.bench.targets import BenchError
from tsengine.cli.main import cli


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with start_server(tmp_path_factory.mktemp("bench-serve") / "data") as running:
        yield running


def test_every_workload_against_tsengine_serve(server: RunningServer) -> None:
    url, token = server
    result = run_bench(BenchConfig(**TINY, target=url, token=token, bucket="over-http",
                                   server_pid=server.pid, command_line=["test"]))
    doc = json.loads(result.to_json())
    assert schema_problems(doc) == []
    assert doc["target"]["kind"] == "influxdb2" and doc["target"]["url"] == url
    assert f"pid {server.pid}" in doc["target"]["rss_of"]
    ingest = doc["ingest"]
    assert (ingest["status"], ingest["points"], ingest["batches"]) == ("ok", TINY_POINTS, 3)
    assert ingest["compaction"] is None and ingest["peak_rss_bytes"] > 0
    rows = {q["name"]: q["rows"] for q in doc["query"]["queries"]}
    assert rows == TINY_ROWS  # the same answers as the embedded engine's
    tasks = doc["tasks"]
    assert (tasks["status"], tasks["runs"], tasks["succeeded"]) == ("ok", 4, 4), tasks
    assert tasks["latency"]["count"] == 4


def test_cli_against_the_server_and_a_taken_bucket(server: RunningServer,
                                                   tmp_path: Path) -> None:
    url, token = server
    out = tmp_path / "r.json"
    args = ["bench", "run", "-q", "--target", url, "--token", token, "--bucket", "cli",
            "--workload", "ingest,query", "--scale", "2", "--duration", "1h",
            "--query-rounds", "1", "--concurrency", "1", "--json", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"influxdb2 at {url}" in result.stdout
    assert all(q in result.stdout for q in QUERIES)
    assert json.loads(out.read_text())["query"]["status"] == "ok"
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 1 and "bucket 'cli' exists" in again.output


def test_annotated_csv_rows_are_counted_without_headers() -> None:
    body = (b"#datatype,string,long,double\r\n#group,false,false,false\r\n#default,_result,,\r\n"
            b",result,table,_value\r\n,,0,1.5\r\n,,0,2.5\r\n\r\n"
            b"#datatype,string,long,string\r\n#group,false,false,false\r\n#default,_result,,\r\n"
            b",result,table,s\r\n,,1,a\r\n\r\n")
    assert count_csv_rows(body) == 3
    assert count_csv_rows(b"\r\n") == 0
    with pytest.raises(BenchError, match="boom"):
        count_csv_rows(b"#datatype,string,string\r\n#group,true,true\r\n#default,,\r\n"
                       b",error,reference\r\n,boom,\r\n")


def test_influxdb1_target_speaks_write_and_influxql(monkeypatch, tmp_path: Path) -> None:
    """A 1.x server stand-in: SHOW/CREATE DATABASE, /write with a 1.x precision, InfluxQL,
    count(*) for the field values beside the size of its data directory."""
    seen: list[httpx.Request] = []
    databases: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        q = request.url.params.get("q", "")
        if request.url.path == "/write":
            return httpx.Response(204)
        if q == "SHOW DATABASES":
            series = [{"name": "databases", "columns": ["name"],
                       "values": [[d] for d in databases]}]
            return httpx.Response(200, json={"results": [{"statement_id": 0,
                                                          "series": series}]})
        if q.startswith("CREATE DATABASE"):
            databases.append(q.split('"')[1])
            return httpx.Response(200, json={"results": [{"statement_id": 0}]})
        if q == "SELECT count(*) FROM /.*/":  # a row per measurement, a column per field
            columns = ["time", "count_a", "count_b", "count_c"]
            return httpx.Response(200, json={"results": [{"statement_id": 0, "series": [
                {"name": "m1", "columns": columns, "values": [[0, 1000, None, 1000]]},
                {"name": "m2", "columns": columns, "values": [[0, None, 2000, None]]}]}]})
        values = [[1, 2.0], [2, 3.0]]
        return httpx.Response(200, json={"results": [{"statement_id": 0, "series": [
            {"name": "environmental_sensors", "columns": ["time", "v"], "values": values}]}]})

    def client(self: InfluxV1Target) -> httpx.Client:
        return httpx.Client(base_url=self.url, transport=httpx.MockTransport(answer))

    monkeypatch.setattr(InfluxV1Target, "client", client)
    shard = tmp_path / "influxd" / "data" / "telemetry" / "autogen" / "1"
    shard.mkdir(parents=True)
    (shard / "000000001-000000001.tsm").write_bytes(b"x" * 10_000)
    (tmp_path / "influxd" / "wal" / "telemetry").mkdir(parents=True)
    result = run_bench(BenchConfig(**TINY, target="influxdb1+http://influx1:8086",
                                   bucket="telemetry", target_data_dir=tmp_path / "influxd",
                                   settle_seconds=0, command_line=["test"]))
    assert result.target.kind == "influxdb1" and result.target.url == "http://influx1:8086"
    assert databases == ["telemetry"]
    writes = [r for r in seen if r.url.path == "/write"]
    assert len(writes) == 3
    assert {(r.url.params["db"], r.url.params["precision"]) for r in writes} == {
        ("telemetry", "n")}
    assert sum(r.content.count(b"\n") for r in writes) == TINY_POINTS
    assert result.query is not None and result.query.status == "ok"
    assert {q.language for q in result.query.queries} == {"influxql"}
    assert all(q.rows == 2 for q in result.query.queries)
    selects = [r.url.params["q"] for r in seen if r.url.params.get("q", "").startswith("SELECT")]
    assert selects[0] == "SELECT count(*) FROM /.*/"  # after ingest, before the query set
    assert selects[1].startswith("SELECT last(battery) FROM environmental_sensors WHERE time >= ")
    assert selects[1].count("; SELECT last(") == 4  # a statement per field
    assert all(r.url.params["db"] == "telemetry" for r in seen if r.url.path == "/query")
    assert result.disk is not None and result.disk.error is None
    assert (result.disk.apparent_bytes, result.disk.files) == (10_000, 1)
    assert result.disk.field_values == 4000
    assert result.disk.bytes_per_field_value == result.disk.bytes / 4000
    assert result.target.data_dir == str(tmp_path / "influxd")
    assert result.tasks is not None and result.tasks.status == "unsupported"
    assert "not supported for this target" in (result.tasks.reason or "")
