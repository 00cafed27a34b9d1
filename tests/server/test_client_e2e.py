"""The official influxdb-client against a real `tsengine serve`: a program written for InfluxDB
2.x runs unchanged but for its URL and token. One server process for the module (its startup
is the slow part); each test uses its own bucket."""

from __future__ import annotations

import gzip
import re
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from influxdb_client import BucketRetentionRules, InfluxDBClient, Point, WritePrecision
from influxdb_client.client.exceptions import InfluxDBError
from influxdb_client.client.write_api import SYNCHRONOUS, WriteOptions
from influxdb_client.rest import ApiException

from tsengine.bench.server import start_server

T0 = datetime(2024, 1, 1, tzinfo=UTC)
NS0 = int(T0.timestamp()) * 10**9


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`tsengine serve --port 0` on a fresh data directory: its URL and operator token."""
    with start_server(tmp_path_factory.mktemp("serve") / "data", shutdown_seconds=30) as found:
        yield found


@pytest.fixture
def client(server: tuple[str, str]) -> Iterator[InfluxDBClient]:
    url, token = server
    with InfluxDBClient(url=url, token=token, org="default", timeout=30_000) as c:
        yield c


def _bucket(client: InfluxDBClient, name: str) -> str:
    client.buckets_api().create_bucket(bucket_name=name, org="default")
    return name


def _values(client: InfluxDBClient, bucket: str, extra: str = "") -> list[tuple]:
    tables = client.query_api().query(
        f'from(bucket: "{bucket}") |> range(start: 2023-01-01T00:00:00Z, '
        f"stop: 2025-01-01T00:00:00Z){extra}")
    return sorted((r.get_measurement(), r.get_field(), r.get_time(), r.get_value())
                  for t in tables for r in t.records)


def test_ping_health_and_orgs(client: InfluxDBClient) -> None:
    assert client.ping() is True
    assert client.health().status == "pass"
    orgs = client.organizations_api().find_organizations()
    assert [o.name for o in orgs] == ["default"]


def test_synchronous_writes_of_points_strings_and_dicts_then_queries(
        client: InfluxDBClient) -> None:
    bucket = _bucket(client, "sync")
    write = client.write_api(write_options=SYNCHRONOUS)
    write.write(bucket, record=Point("cpu").tag("host", "a").field("usage", 1.5).time(T0))
    write.write(bucket, record=f"cpu,host=b usage=2.5 {NS0}")
    write.write(bucket, record={"measurement": "cpu", "tags": {"host": "c"},
                                "fields": {"usage": 3.5}, "time": T0 + timedelta(seconds=1)})
    write.write(bucket, record=[f"mem,host=a used=7i {NS0 // 10**9}"],
                write_precision=WritePrecision.S)
    assert _values(client, bucket) == [
        ("cpu", "usage", T0, 1.5), ("cpu", "usage", T0, 2.5),
        ("cpu", "usage", T0 + timedelta(seconds=1), 3.5), ("mem", "used", T0, 7)]
    csv_rows = list(client.query_api().query_csv(
        f'from(bucket: "{bucket}") |> range(start: 2023-01-01T00:00:00Z) '
        '|> filter(fn: (r) => r.host == "b")'))
    assert (csv_rows[3][-1], csv_rows[4][-1]) == ("host", "b") and "2.5" in csv_rows[4]
    stream = list(client.query_api().query_stream(
        f'from(bucket: "{bucket}") |> range(start: 2023-01-01T00:00:00Z) |> count()'))
    assert sorted(r.get_value() for r in stream) == [1, 1, 1, 1]
    frame = client.query_api().query_data_frame(
        f'from(bucket: "{bucket}") |> range(start: 2023-01-01T00:00:00Z) '
        '|> filter(fn: (r) => r._measurement == "cpu") |> group()')
    assert sorted(frame["_value"].tolist()) == [1.5, 2.5, 3.5]


def test_query_params_become_options(client: InfluxDBClient) -> None:
    bucket = _bucket(client, "params")
    client.write_api(write_options=SYNCHRONOUS).write(bucket, record=f"m,k=x v=1 {NS0}")
    tables = client.query_api().query(
        'from(bucket: b) |> range(start: since) |> filter(fn: (r) => r.k == key)',
        params={"b": bucket, "since": T0 - timedelta(hours=1), "key": "x"})
    assert [r.get_value() for t in tables for r in t.records] == [1.0]


def test_batching_writer_flushes_every_point(client: InfluxDBClient) -> None:
    bucket = _bucket(client, "batching")
    with client.write_api(write_options=WriteOptions(batch_size=500, flush_interval=200)) as w:
        w.write(bucket, record=[f"m,s=s{i % 7} v={i}i {NS0 + i}" for i in range(2_000)])
    counted = client.query_api().query(
        f'from(bucket: "{bucket}") |> range(start: 2023-01-01T00:00:00Z) |> group() |> count()')
    assert counted[0].records[0].get_value() == 2_000


def test_buckets_api(client: InfluxDBClient) -> None:
    api = client.buckets_api()
    made = api.create_bucket(bucket_name="kept", org="default",
                             retention_rules=BucketRetentionRules(type="expire",
                                                                  every_seconds=7 * 86_400))
    found = api.find_bucket_by_name("kept")
    assert (found.id, found.retention_rules[0].every_seconds) == (made.id, 7 * 86_400)
    assert "kept" in [b.name for b in api.find_buckets().buckets]
    api.delete_bucket(made)
    assert api.find_bucket_by_name("kept") is None


def test_wrong_token_is_401(server: tuple[str, str]) -> None:
    url, _ = server
    with InfluxDBClient(url=url, token="wrong", org="default") as bad, \
            pytest.raises(ApiException) as err:
        bad.buckets_api().find_buckets()
    assert err.value.status == 401


def test_malformed_line_protocol_is_400_and_writes_nothing(client: InfluxDBClient) -> None:
    bucket = _bucket(client, "malformed")
    write = client.write_api(write_options=SYNCHRONOUS)
    with pytest.raises(InfluxDBError) as err:
        write.write(bucket, record=f"m v=1 {NS0}\nm v= {NS0 + 1}\n")
    assert err.value.response.status == 400
    assert "line 2" in str(err.value)
    assert _values(client, bucket) == []


def test_gzip_write_and_a_10_mb_body(server: tuple[str, str]) -> None:
    url, token = server
    with InfluxDBClient(url=url, token=token, org="default", enable_gzip=True,
                        timeout=120_000) as gz:
        bucket = _bucket(gz, "big")
        lines = "".join(f"m,s=s{i % 100} v={i}i,pad=\"{'x' * 60}\" {NS0 + i}\n"
                        for i in range(110_000))
        assert len(lines) > 10_000_000
        gz.write_api(write_options=SYNCHRONOUS).write(bucket, record=lines)
        counted = gz.query_api().query(
            f'from(bucket: "{bucket}") |> range(start: 2023-01-01T00:00:00Z) '
            '|> filter(fn: (r) => r._field == "v") |> group() |> count()')
        assert counted[0].records[0].get_value() == 110_000
    assert len(gzip.compress(lines.encode())) < len(lines)


def test_concurrent_writers_and_a_reader_lose_and_duplicate_nothing(
        client: InfluxDBClient) -> None:
    bucket = _bucket(client, "concurrent")
    errors: list[BaseException] = []

    def writer(w: int) -> None:
        try:
            api = client.write_api(write_options=SYNCHRONOUS)
            for batch in range(10):
                api.write(bucket, record=[f"m,w=w{w} v={batch * 500 + i}i {NS0 + batch * 500 + i}"
                                          for i in range(500)])
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    def reader() -> None:
        try:
            for _ in range(10):
                client.query_api().query(f'from(bucket: "{bucket}") |> range(start: 0) |> count()')
        except BaseException as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(2)]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = client.query_api().query(
        f'from(bucket: "{bucket}") |> range(start: 0) |> count()')
    assert sorted((r.values["w"], r.get_value()) for t in counts for r in t.records) == [
        ("w0", 5_000), ("w1", 5_000)]


def test_tasks_api_and_a_rollup_on_a_real_schedule(client: InfluxDBClient) -> None:
    raw, out = _bucket(client, "raw_e2e"), _bucket(client, "rollup_e2e")
    now = datetime.now(UTC).replace(microsecond=0)
    client.write_api(write_options=SYNCHRONOUS).write(raw, record=[
        Point("m").tag("s", "a").field("v", float(i)).time(now - timedelta(seconds=i))
        for i in range(1, 30)])
    org = client.organizations_api().find_organizations()[0]
    tasks = client.tasks_api()
    task = tasks.create_task_every(
        "rollup_e2e", f'from(bucket: "{raw}") |> range(start: -1m) '
        f'|> sum() |> map(fn: (r) => ({{r with _time: r._stop}})) |> to(bucket: "{out}")',
        "2s", org)
    assert task.every == "2s" and task.name == "rollup_e2e"
    assert [t.id for t in tasks.find_tasks(name="rollup_e2e")] == [task.id]
    manual = tasks.run_manually(task.id)
    assert manual.status == "scheduled"
    deadline = time.monotonic() + 30
    runs = []
    while time.monotonic() < deadline:
        runs = tasks.get_runs(task.id)
        if sum(r.status == "success" for r in runs) >= 3:
            break
        time.sleep(0.5)
    assert sum(r.status == "success" for r in runs) >= 3, [(r.status, r.scheduled_for)
                                                          for r in runs]
    logs = tasks.get_run_logs(task.id, runs[-1].id)
    assert any("Completed(success)" in e.message for e in logs)
    tables = client.query_api().query(f'from(bucket: "{out}") |> range(start: -1h)')
    assert tables and all(r.get_value() > 0 for t in tables for r in t.records)
    tasks.delete_task(task.id)
    assert tasks.find_tasks(name="rollup_e2e") == []


def test_the_readme_client_example_runs_unchanged_but_for_url_and_token(
        server: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    url, token = server
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    (block,) = re.findall(r"```py\n(.*?)```", readme, flags=re.S)
    with InfluxDBClient(url=url, token=token, org="default") as c:
        _bucket(c, "telemetry")
    code = block.replace("http://localhost:8086", url).replace("<the token>", token)
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102
    printed = capsys.readouterr().out.split()
    assert printed[-2:] == ["temp", "21.5"]


def test_the_example_pipeline_downsamples_on_a_real_schedule(client: InfluxDBClient) -> None:
    """The example rollup's two stages on `every: 2s`: raw -> 1-second means -> 2-second means,
    run by the server's scheduler on the system clock; the second stage reads what the first
    writes, so it waits for it (a chain), and every value equals the direct computation.
    create_task_every appends `option task` after the script, so the script says `-2s` (as the
    client's own example does) rather than `-task.every`, not defined yet where it is used."""
    raw, means, rollup = (_bucket(client, n) for n in ("pipe_raw", "pipe_1s", "pipe_2s"))
    start = datetime.now(UTC).replace(microsecond=0)
    client.write_api(write_options=SYNCHRONOUS).write(raw, record=[
        Point("environmental_sensors").tag("sensor_id", f"s{s}").field("temperature", 20.0 + i + s)
        .time(start + timedelta(milliseconds=250 * i)) for s in range(2) for i in range(48)])
    org = client.organizations_api().find_organizations()[0]
    tasks = client.tasks_api()
    first = tasks.create_task_every(
        "pipe_1s", f'from(bucket: "{raw}") |> range(start: -2s)'
        ' |> filter(fn: (r) => r._measurement == "environmental_sensors")'
        f' |> aggregateWindow(every: 1s, fn: mean, createEmpty: false) |> to(bucket: "{means}")',
        "2s", org)
    second = tasks.create_task_every(
        "pipe_2s", f'from(bucket: "{means}") |> range(start: -2s)'
        f' |> aggregateWindow(every: 2s, fn: mean, createEmpty: false) |> to(bucket: "{rollup}")',
        "2s", org)
    deadline = time.monotonic() + 40
    while time.monotonic() < deadline:
        done = [r for r in tasks.get_runs(second.id) if r.status == "success"]
        if len(done) >= 6:
            break
        time.sleep(0.5)
    assert len(done) >= 6
    for task in (first, second):
        assert all(r.status == "success" for r in tasks.get_runs(task.id)), task.name
    # a 2-second mean is complete once the first stage ran for both its 1-second means
    complete = min(r.scheduled_for for r in tasks.get_runs(first.id)) + timedelta(seconds=2)
    window = f"range(start: {start.isoformat().replace('+00:00', 'Z')})"
    got = client.query_api().query(f'from(bucket: "{rollup}") |> {window}')
    direct = client.query_api().query(
        f'from(bucket: "{raw}") |> {window} |> aggregateWindow(every: 1s, fn: mean, '
        'createEmpty: false) |> aggregateWindow(every: 2s, fn: mean, createEmpty: false)')
    rows = sorted((r.values["sensor_id"], r.get_time(), r.get_value())
                  for t in got for r in t.records if r.get_time() >= complete)
    expected = sorted((r.values["sensor_id"], r.get_time(), r.get_value())
                      for t in direct for r in t.records)
    assert rows and set(rows) <= set(expected)
    for task in (first, second):
        tasks.delete_task(task.id)
