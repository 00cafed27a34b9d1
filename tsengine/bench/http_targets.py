"""Servers as the bench sees them over HTTP (writes on one connection per writer): the InfluxDB
v2 API (a tsengine server or InfluxDB 2.x) and the InfluxDB 1.x API (line protocol to /write,
InfluxQL to /query), so the same run measures each side by side."""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from tsengine.bench.targets import BenchError, Target, Writer

ANNOTATIONS = ["datatype", "group", "default"]
V1_PRECISION = {"ns": "n", "us": "u", "ms": "ms", "s": "s"}


def count_csv_rows(body: bytes) -> int:
    """Data rows of an annotated (or plain) CSV answer, counted without parsing it: a row
    starts with the empty annotation column, a header with `,result,table`."""
    if b",error,reference" in body[:4096]:
        raise BenchError(f"query failed: {body[:500].decode(errors='replace')}")
    rows = body.count(b"\n,") + body.startswith(b",")
    headers = body.count(b"\n,result,table") + body.startswith(b",result,table")
    return rows - headers


def _check(response: httpx.Response, what: str, ok: tuple[int, ...] = (200, 201, 204)) -> None:
    if response.status_code not in ok:
        raise BenchError(f"{what}: HTTP {response.status_code} {response.text[:300]}")


class _HttpWriter(Writer):
    """Line protocol POSTed on one kept-alive connection of the standard library's client:
    a third of httpx's CPU a request (0.26 ms against 0.66 for 5,000 lines), which the
    server under test, sharing the machine, gets instead."""

    def __init__(self, url: str, headers: dict[str, str], timeout: float, path: str,
                 params: dict[str, str], v1: bool) -> None:
        parts = urlsplit(url)
        kind = http.client.HTTPSConnection if parts.scheme == "https" else \
            http.client.HTTPConnection
        self.connect = lambda: kind(parts.hostname or "localhost", parts.port, timeout=timeout)
        self.connection = self.connect()
        self.base = parts.path.rstrip("/") + path
        self.headers = {**headers, "Content-Type": "text/plain; charset=utf-8"}
        self.params = params
        self.v1 = v1

    def write(self, body: bytes, precision: str) -> None:
        value = V1_PRECISION.get(precision, precision) if self.v1 else precision
        target = f"{self.base}?{urlencode({**self.params, 'precision': value})}"
        try:
            status, text = self._post(target, body)
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # a kept-alive connection the server closed meanwhile: once more on a new one
            # (a write of the same points again replaces them)
            self.connection.close()
            self.connection = self.connect()
            status, text = self._post(target, body)
        if status != 204:
            raise BenchError(f"write: HTTP {status} {text[:300]}")

    def _post(self, target: str, body: bytes) -> tuple[int, str]:
        self.connection.request("POST", target, body=body, headers=self.headers)
        response = self.connection.getresponse()
        text = response.read()
        return response.status, text.decode(errors="replace")

    def close(self) -> None:
        self.connection.close()


class _HttpTarget(Target):
    def __init__(self, url: str, bucket: str, token: str | None, timeout: float) -> None:
        super().__init__(bucket)
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.http = self.client()

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Token {self.token}"} if self.token else {}

    def client(self) -> httpx.Client:
        """A client with its own connection pool, the token and the target's timeout."""
        return httpx.Client(base_url=self.url, timeout=self.timeout, headers=self.headers())

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as e:
            raise BenchError(f"{what}: {self.url}: {e}") from None
        _check(response, what)
        return response


class InfluxV2Target(_HttpTarget):
    """The InfluxDB v2 HTTP API: /api/v2/write, /api/v2/query (annotated CSV), buckets, tasks."""

    kind = "influxdb2"

    def __init__(self, url: str, bucket: str, token: str | None, org: str,
                 timeout: float = 600) -> None:
        super().__init__(url, bucket, token, timeout)
        self.org = org
        self._org_id: str | None = None

    def org_id(self) -> str:
        if self._org_id is None:
            found = self._request("GET", "/api/v2/orgs", "find org", params={"org": self.org})
            orgs = found.json().get("orgs", [])
            if not orgs:
                raise BenchError(f"organization {self.org!r} not found at {self.url}")
            self._org_id = orgs[0]["id"]
        return self._org_id

    def bucket_exists(self, name: str) -> bool:
        response = self.http.get("/api/v2/buckets", params={"org": self.org, "name": name})
        if response.status_code == 404:
            return False
        _check(response, "find bucket")
        return any(b.get("name") == name for b in response.json().get("buckets", []))

    def create_bucket(self, name: str) -> None:
        self._request("POST", "/api/v2/buckets", f"create bucket {name}",
                      json={"orgID": self.org_id(), "name": name, "retentionRules": []})

    def prepare(self, create: bool) -> None:
        exists = self.bucket_exists(self.bucket)
        if create and exists:
            raise BenchError(f"bucket {self.bucket!r} exists at {self.url}: ingest writes into "
                             "a new bucket; pick another --bucket")
        if create:
            self.create_bucket(self.bucket)
        elif not exists:
            raise BenchError(f"bucket {self.bucket!r} not found at {self.url}: run the ingest "
                             "workload first")

    def writer(self) -> Writer:
        return _HttpWriter(self.url, self.headers(), self.timeout, "/api/v2/write",
                           {"org": self.org, "bucket": self.bucket}, v1=False)

    def query(self, text: str) -> int:
        response = self._request("POST", "/api/v2/query", "query", params={"org": self.org},
                                 json={"query": text, "type": "flux",
                                       "dialect": {"annotations": ANNOTATIONS}})
        return count_csv_rows(response.content)

    # -- tasks -------------------------------------------------------------------------------
    def create_task(self, flux: str) -> str:
        created = self._request("POST", "/api/v2/tasks", "create task",
                                json={"flux": flux, "org": self.org, "status": "active"})
        return str(created.json()["id"])

    def queue_run(self, task_id: str, scheduled_for: str) -> str:
        run = self._request("POST", f"/api/v2/tasks/{task_id}/runs", "queue run",
                            json={"scheduledFor": scheduled_for})
        return str(run.json()["id"])

    def runs(self, task_id: str) -> list[dict[str, Any]]:
        found = self._request("GET", f"/api/v2/tasks/{task_id}/runs", "find runs",
                              params={"limit": 500})
        return list(found.json().get("runs", []))

    def delete_task(self, task_id: str) -> None:
        self.http.delete(f"/api/v2/tasks/{task_id}")


class InfluxV1Target(_HttpTarget):
    """The InfluxDB 1.x API: /write?db=&precision= and InfluxQL at /query?db=&q= (JSON)."""

    kind = "influxdb1"
    language = "influxql"

    def __init__(self, url: str, bucket: str, token: str | None, timeout: float = 600) -> None:
        super().__init__(url, bucket, token, timeout)

    def _influxql(self, q: str, method: str = "GET") -> list[dict[str, Any]]:
        params = {"q": q, "db": self.bucket, "epoch": "ns"}
        response = self._request(method, "/query", "query", params=params)
        results = response.json().get("results", [])
        for r in results:
            if "error" in r:
                raise BenchError(f"query failed: {r['error']}")
        return list(results)

    def prepare(self, create: bool) -> None:
        (shown,) = self._influxql("SHOW DATABASES") or [{}]
        names = {v[0] for s in shown.get("series", []) for v in s.get("values") or []}
        if create and self.bucket in names:
            raise BenchError(f"database {self.bucket!r} exists at {self.url}: ingest writes "
                             "into a new database; pick another --bucket")
        if create:
            self._influxql(f'CREATE DATABASE "{self.bucket}"', "POST")
        elif self.bucket not in names:
            raise BenchError(f"database {self.bucket!r} not found at {self.url}: run the "
                             "ingest workload first")

    def writer(self) -> Writer:
        return _HttpWriter(self.url, self.headers(), self.timeout, "/write",
                           {"db": self.bucket}, v1=True)

    def query(self, text: str) -> int:
        return sum(len(s.get("values") or []) for r in self._influxql(text)
                   for s in r.get("series", []))

    def field_values(self) -> int:
        """Field values the database holds: InfluxQL's count of every field of every
        measurement, summed (one row per measurement, a count_<field> column per field)."""
        return sum(int(v) for r in self._influxql("SELECT count(*) FROM /.*/")
                   for s in r.get("series", []) for row in s.get("values") or []
                   for v in row[1:] if v is not None)
