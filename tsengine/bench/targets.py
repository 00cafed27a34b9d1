"""What a run measures: the embedded engine in this process, or a server through its HTTP API.
Every target creates or finds the bucket, hands out writers (one per concurrent client, each on
its own connection) and runs the query set in its language, counting the rows it answers."""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from pathlib import Path

from storage import BucketExists, BucketNotFound, Clock
from tsengine.bench.stats import peak_rss_bytes, process_peak_rss_bytes
from tsengine.engine import Engine
from tsengine.errors import TsengineError


class BenchError(TsengineError):
    """A run that cannot go on: a refused write, a missing bucket, an unreachable target."""


class Writer(ABC):
    """One client: sends a batch and returns once it is acknowledged."""

    @abstractmethod
    def write(self, body: bytes, precision: str) -> None: ...

    def close(self) -> None:  # noqa: B027 - most writers hold nothing
        """Release the client's connection."""


class Target(ABC):
    """A system under test."""

    kind: str = ""
    language: str = "flux"  # the query language it speaks: flux | influxql
    url: str | None = None
    org: str | None = None
    server_pid: int | None = None

    def __init__(self, bucket: str) -> None:
        self.bucket = bucket

    @property
    def rss_of(self) -> str:
        """Whose memory `peak_rss` reports."""
        if self.server_pid is not None:
            return f"the server process (pid {self.server_pid}, its VmHWM)"
        return "unknown: the server's memory is not visible to the harness (see --server-pid)"

    def peak_rss(self) -> int | None:
        """The peak RSS so far of the process doing the work: the server's if its pid is
        known, else None (the harness's own memory says nothing about the server)."""
        return None if self.server_pid is None else process_peak_rss_bytes(self.server_pid)

    @abstractmethod
    def prepare(self, create: bool) -> None:
        """Create the bucket (it must not exist: ingest measures writes into a new one), or with
        `create` False check that it exists."""

    @abstractmethod
    def writer(self) -> Writer: ...

    @abstractmethod
    def query(self, text: str) -> int:
        """Run one query of the set and return the rows it answered."""

    def close(self) -> None:  # noqa: B027 - most targets hold nothing
        """Release connections or the data directory."""

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class BenchClock(Clock):
    """The system clock, which the tasks workload fixes at simulated times while it replays
    the schedule over the data's span, then releases."""

    def __init__(self) -> None:
        self._fixed: int | None = None

    def now(self) -> int:
        return time.time_ns() if self._fixed is None else self._fixed

    def set(self, now: int | None) -> None:
        """Fix the clock at `now`, or with None follow the system clock again."""
        self._fixed = now


class EmbeddedTarget(Target):
    """The engine in this process, on its own data directory (never the user's by default)."""

    kind = "embedded"

    def __init__(self, data_dir: str | Path, bucket: str) -> None:
        super().__init__(bucket)
        self.data_dir = Path(data_dir)
        self.clock = BenchClock()
        self.engine = Engine.open(self.data_dir, clock=self.clock)

    def prepare(self, create: bool) -> None:
        try:
            if create:
                self.engine.create_bucket(self.bucket)
            else:
                self.engine.bucket(self.bucket)
        except BucketExists:
            raise BenchError(f"bucket {self.bucket!r} exists in {self.data_dir}: ingest writes "
                             "into a new bucket; pick another --bucket or --data-dir") from None
        except BucketNotFound:
            raise BenchError(f"bucket {self.bucket!r} not found in {self.data_dir}: run the "
                             "ingest workload first") from None

    @property
    def rss_of(self) -> str:
        return "the harness process, which holds the embedded engine"

    def peak_rss(self) -> int | None:
        return peak_rss_bytes()

    def writer(self) -> Writer:
        return _EngineWriter(self.engine, self.bucket)

    def query(self, text: str) -> int:
        return sum(t.frame.height for tables in self.engine.query(text).values()
                   for t in tables)

    def close(self) -> None:
        self.engine.close()


class _EngineWriter(Writer):
    def __init__(self, engine: Engine, bucket: str) -> None:
        self.engine = engine
        self.bucket = bucket

    def write(self, body: bytes, precision: str) -> None:
        result = self.engine.write(self.bucket, body, precision)
        if result.dropped:
            raise BenchError(f"{len(result.dropped)} points dropped: {result.dropped[0]}")


def open_target(target: str, *, bucket: str, data_dir: str | Path | None = None,
                token: str | None = None, org: str | None = None, timeout: float = 600,
                server_pid: int | None = None) -> Target:
    """`embedded`, an InfluxDB v2 URL (http://host:port) or `influxdb1+http://host:port`
    (`server_pid`: the local server process whose peak memory to report)."""
    if target == "embedded":
        if data_dir is None:
            raise BenchError("the embedded target needs a data directory")
        return EmbeddedTarget(data_dir, bucket)
    from tsengine.bench.http_targets import InfluxV1Target, InfluxV2Target

    found: Target
    if target.startswith("influxdb1+"):
        found = InfluxV1Target(target.removeprefix("influxdb1+"), bucket, token, timeout)
    elif target.startswith(("http://", "https://")):
        found = InfluxV2Target(target, bucket, token, org or "default", timeout)
    else:
        raise BenchError(f"unknown target {target!r}: expected embedded, http(s)://host:port "
                         "or influxdb1+http://host:port")
    found.server_pid = server_pid
    return found
