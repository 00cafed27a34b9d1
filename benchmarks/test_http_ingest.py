"""HTTP ingest (issue 6): the 1,000,000-line dataset sent as is to a real `tsengine serve`'s
/api/v2/write in 5,000-line batches by 2 concurrent clients, each on its own connection and
waiting for each batch's 204 before sending its next; reported in points/s beside the
library-level ingest of benchmarks/test_ingest.py (conftest prints both).

The clock runs from the first send to the last acknowledgement: the bucket, the batches and the
two open connections are ready before it starts. Each round writes into a new, empty bucket
(data written twice would measure replacement, not ingest).
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from datasets import INGEST_SPEC
from influxdb_client import InfluxDBClient

from tsengine.bench.server import start_server

BATCH_LINES = 5_000
CLIENTS = 2
ORG = "default"
FIELDS = ("battery", "humidity", "pressure", "status", "temperature")

_buckets = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """`tsengine serve --port 0` on a fresh data directory: its URL and operator token."""
    with start_server(tmp_path_factory.mktemp("serve-bench") / "data") as found:
        yield found


@pytest.fixture(scope="module")
def batches(lp_path: Path) -> list[bytes]:
    """The dataset's raw line protocol cut at every BATCH_LINES-th line, bytes untouched."""
    lines = lp_path.read_bytes().splitlines(keepends=True)
    assert len(lines) == INGEST_SPEC.points
    return [b"".join(lines[i:i + BATCH_LINES]) for i in range(0, len(lines), BATCH_LINES)]


def _client(url: str, token: str) -> InfluxDBClient:
    return InfluxDBClient(url=url, token=token, org=ORG, timeout=600_000)


def _send(client: httpx.Client, bucket: str, work: queue.SimpleQueue[bytes],
          errors: list[BaseException]) -> None:
    """Take batches until none is left, each acknowledged (204) before the next is sent."""
    params = {"org": ORG, "bucket": bucket, "precision": "ns"}
    try:
        while True:
            try:
                body = work.get_nowait()
            except queue.Empty:
                return
            response = client.post("/api/v2/write", params=params, content=body)
            if response.status_code != 204:
                raise AssertionError(f"write: {response.status_code} {response.text[:500]}")
    except BaseException as e:  # noqa: BLE001 - reported by the test, not lost in the thread
        errors.append(e)


def test_http_ingest(benchmark, server: tuple[str, str], batches: list[bytes]) -> None:
    url, token = server
    written: list[str] = []
    opened: list[httpx.Client] = []

    def setup():
        bucket = f"http-ingest-{next(_buckets)}"
        with _client(url, token) as admin:
            admin.buckets_api().create_bucket(bucket_name=bucket, org=ORG)
        clients = [httpx.Client(base_url=url, timeout=600,
                                headers={"Authorization": f"Token {token}",
                                         "Content-Type": "text/plain; charset=utf-8"})
                   for _ in range(CLIENTS)]
        opened.extend(clients)
        for c in clients:  # each opens its own connection before the clock starts
            assert c.get("/ping").status_code == 204
        work: queue.SimpleQueue[bytes] = queue.SimpleQueue()
        for body in batches:
            work.put(body)
        written.append(bucket)
        return (bucket, clients, work), {}

    def ingest(bucket: str, clients: list[httpx.Client], work: queue.SimpleQueue[bytes]) -> None:
        errors: list[BaseException] = []
        threads = [threading.Thread(target=_send, args=(c, bucket, work, errors))
                   for c in clients]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []

    try:
        benchmark.pedantic(ingest, setup=setup, rounds=1, iterations=1)
    finally:
        for c in opened:
            c.close()

    with _client(url, token) as admin:
        for bucket in written:
            tables = admin.query_api().query(
                f'from(bucket: "{bucket}") |> range(start: 0) '
                '|> group(columns: ["_field"]) |> count()')
            counts = {r.get_field(): r.get_value() for t in tables for r in t.records}
            assert counts == dict.fromkeys(FIELDS, INGEST_SPEC.points)
