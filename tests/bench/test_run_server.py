"""`bench run` over HTTP: against a real `tsengine serve` subprocess (InfluxDB v2 API), and the
InfluxDB 1.x target's requests against a stand-in 1.x server on a local port."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from bench_expectations import QUERIES, TINY, TINY_POINTS, TINY_ROWS, schema_problems
from click.testing import CliRunner

from storage.timeutil import HOUR, parse_time
from tsengine.bench.http_targets import InfluxV2Target, count_csv_rows
from tsengine.bench.run import BenchConfig, run_bench
from tsengine.bench.server import RunningServer, start_server
from tsengine.bench.source import Span
from tsengine.bench.targets import BenchError
from tsengine.bench.workloads import tasks as tasks_workload
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


def test_influxdb1_target_speaks_write_and_influxql(tmp_path: Path) -> None:
    """A 1.x server stand-in on a local port: SHOW/CREATE DATABASE, /write with a 1.x
    precision, InfluxQL, count(*) for the field values beside the size of its data
    directory."""
    seen: list[Seen] = []
    databases: list[str] = []

    def answer(request: Seen) -> tuple[int, dict | None]:
        q = request.params.get("q", "")
        if request.path == "/write":
            return 204, None
        if q == "SHOW DATABASES":
            series = [{"name": "databases", "columns": ["name"],
                       "values": [[d] for d in databases]}]
            return 200, {"results": [{"statement_id": 0, "series": series}]}
        if q.startswith("CREATE DATABASE"):
            databases.append(q.split('"')[1])
            return 200, {"results": [{"statement_id": 0}]}
        if q == "SELECT count(*) FROM /.*/":  # a row per measurement, a column per field
            columns = ["time", "count_a", "count_b", "count_c"]
            return 200, {"results": [{"statement_id": 0, "series": [
                {"name": "m1", "columns": columns, "values": [[0, 1000, None, 1000]]},
                {"name": "m2", "columns": columns, "values": [[0, None, 2000, None]]}]}]}
        values = [[1, 2.0], [2, 3.0]]
        return 200, {"results": [{"statement_id": 0, "series": [
            {"name": "environmental_sensors", "columns": ["time", "v"], "values": values}]}]}

    with stand_in(answer, seen) as url:
        run_against_stand_in(tmp_path, url, seen, databases)


def run_against_stand_in(tmp_path: Path, url: str, seen: list[Seen],
                         databases: list[str]) -> None:
    shard = tmp_path / "influxd" / "data" / "telemetry" / "autogen" / "1"
    shard.mkdir(parents=True)
    (shard / "000000001-000000001.tsm").write_bytes(b"x" * 10_000)
    (tmp_path / "influxd" / "wal" / "telemetry").mkdir(parents=True)
    result = run_bench(BenchConfig(**TINY, target=f"influxdb1+{url}",
                                   bucket="telemetry", target_data_dir=tmp_path / "influxd",
                                   settle_seconds=0, command_line=["test"]))
    assert result.target.kind == "influxdb1" and result.target.url == url
    assert databases == ["telemetry"]
    writes = [r for r in seen if r.path == "/write"]
    assert len(writes) == 3 and {r.method for r in writes} == {"POST"}
    assert {(r.params["db"], r.params["precision"]) for r in writes} == {("telemetry", "n")}
    assert sum(r.body.count(b"\n") for r in writes) == TINY_POINTS
    assert result.query is not None and result.query.status == "ok"
    assert {q.language for q in result.query.queries} == {"influxql"}
    assert all(q.rows == 2 for q in result.query.queries)
    selects = [r.params["q"] for r in seen if r.params.get("q", "").startswith("SELECT")]
    assert selects[0] == "SELECT count(*) FROM /.*/"  # after ingest, before the query set
    assert selects[1].startswith("SELECT last(battery) FROM environmental_sensors WHERE time >= ")
    assert selects[1].count("; SELECT last(") == 4  # a statement per field
    assert all(r.params["db"] == "telemetry" for r in seen if r.path == "/query")
    assert result.disk is not None and result.disk.error is None
    assert (result.disk.apparent_bytes, result.disk.files) == (10_000, 1)
    assert result.disk.field_values == 4000
    assert result.disk.bytes_per_field_value == result.disk.bytes / 4000
    assert result.target.data_dir == str(tmp_path / "influxd")
    assert result.tasks is not None and result.tasks.status == "unsupported"
    assert "not supported for this target" in (result.tasks.reason or "")


def test_a_writer_sends_again_on_a_new_connection_when_the_server_hung_up() -> None:
    from tsengine.bench.http_targets import InfluxV2Target

    seen: list[Seen] = []
    with stand_in(lambda request: (204, None) if request.body != b"bad" else (400, {"x": 1}),
                  seen, hang_up=True) as url:
        writer = InfluxV2Target(url, "b", "tok", "o").writer()
        for body in (b"m f=1 1\n", b"m f=2 2\n", b"m f=3 3\n"):
            writer.write(body, "s")
        with pytest.raises(BenchError, match='write: HTTP 400 {"x": 1}'):
            writer.write(b"bad", "s")
        writer.close()
    assert [r.body for r in seen] == [b"m f=1 1\n", b"m f=2 2\n", b"m f=3 3\n", b"bad"]
    assert {(r.path, r.params["bucket"], r.params["precision"]) for r in seen} == {
        ("/api/v2/write", "b", "s")}


@dataclass(frozen=True)
class Seen:
    """A request the stand-in received."""

    method: str
    path: str
    params: dict[str, str]
    body: bytes


@contextmanager
def stand_in(answer: Callable[[Seen], tuple[int, dict | None]], seen: list[Seen],
             hang_up: bool = False) -> Iterator[str]:
    """A local HTTP server answering each request with `answer` (a status and JSON), every
    request kept in `seen` (`hang_up`: each connection closed after one answer, unannounced,
    as a server dropping an idle kept-alive connection); its URL."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # kept-alive connections, as a real server's

        def handle_any(self) -> None:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            request = Seen(self.command, parts.path, dict(parse_qsl(parts.query)),
                           self.rfile.read(length))
            seen.append(request)
            status, document = answer(request)
            body = json.dumps(document).encode() if document is not None else b""
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.close_connection = hang_up

        do_GET = do_POST = handle_any

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _SchedulerOff(InfluxV2Target):
    """A v2 API, held in memory, whose queued runs never finish: they stay `scheduled` (no
    scheduler takes them up, as under `serve --no-tasks`) or `started`."""

    def __init__(self, status: str) -> None:
        super().__init__("http://127.0.0.1:9", "b", None, "o")
        self.status = status
        self.queued: dict[str, list[str]] = {}

    def bucket_exists(self, name: str) -> bool:
        return True

    def create_task(self, flux: str) -> str:
        self.queued[str(len(self.queued))] = []
        return str(len(self.queued) - 1)

    def queue_run(self, task_id: str, scheduled_for: str) -> str:
        self.queued[task_id].append(f"{task_id}-{scheduled_for}")
        return self.queued[task_id][-1]

    def runs(self, task_id: str) -> list[dict]:
        return [{"id": r, "status": self.status} for r in self.queued[task_id]]

    def delete_task(self, task_id: str) -> None:
        del self.queued[task_id]


@pytest.mark.parametrize(("status", "reason"), [
    ("scheduled", "none of the 4 queued runs started in 0 s: does the server run tasks? "
                  "(`tsengine serve --no-tasks` runs none)"),
    ("started", "4 runs did not finish in time"),
])
def test_queued_runs_no_server_takes_up_are_told_from_slow_ones(monkeypatch, status, reason):
    monkeypatch.setattr(tasks_workload, "WAIT_SECONDS", -7.9)  # (2 s a run: 0.1 s in all)
    target = _SchedulerOff(status)
    start = parse_time("2024-01-01T00:00:00Z")
    result = tasks_workload.run_tasks(target, Span(start, start + 2 * HOUR))
    assert (result.status, result.runs, result.succeeded) == ("failed", 4, 0)
    assert result.reason == reason
    assert target.queued == {}  # the tasks are deleted
