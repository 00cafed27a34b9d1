"""The DuckDB baseline: each query of the set as hand-written SQL over the very Parquet files
the embedded engine compacted the bucket into, measured in the same run, so a query's cost can
be read as a ratio to what a columnar engine needs for the same answer."""

from __future__ import annotations

import time
from collections.abc import Callable

import duckdb

from storage import Store
from tsengine.bench.queries import MEASUREMENT
from tsengine.bench.results import BaselineResult
from tsengine.bench.stats import Latency
from tsengine.bench.targets import BenchError


class DuckDBBaseline:
    """A DuckDB connection with a view `t` over the measurement's Parquet files: `time` as
    int64 nanoseconds, one column per tag and field under its own name."""

    engine = "duckdb"

    def __init__(self, store: Store, bucket: str, measurement: str = MEASUREMENT) -> None:
        catalog = store.catalog
        found = catalog.bucket(catalog.org().id, bucket)
        measurements = [m for m in catalog.measurements(found.id) if m.name == measurement]
        if not measurements:
            raise BenchError(f"no {measurement} in bucket {bucket!r}: the baseline's SQL reads "
                             "the generated telemetry")
        (m,) = measurements
        files = [str(catalog.full_path(p.path)) for p in catalog.partitions(found.id, m.id)]
        if not files:
            raise BenchError(f"bucket {bucket!r} has no Parquet files: compact it first")
        names = ", ".join(f'"{c.col}" AS "{c.name}"'
                          for c in (*m.tags.values(), *m.fields.values()))
        self.con = duckdb.connect()
        self.con.execute(f"CREATE VIEW t AS SELECT time, {names} FROM read_parquet({files!r})")

    def measure(self, sql: str, rounds: int, tick: Callable[[], None] = lambda: None,
                reference_p50: float | None = None) -> BaselineResult:
        """The SQL's latency over `rounds` runs after one warm-up run (answers fetched as
        a Polars frame, as tsengine answers), and `reference_p50`'s ratio to it."""
        rows = self.con.sql(sql).pl().height
        tick()
        seconds = []
        for _ in range(rounds):
            began = time.perf_counter()
            rows = self.con.sql(sql).pl().height
            seconds.append(time.perf_counter() - began)
            tick()
        latency = Latency.of(seconds)
        ratio = (reference_p50 / latency.p50 if reference_p50 is not None and latency.p50
                 else None)
        return BaselineResult(self.engine, " ".join(sql.split()), latency, rows, ratio,
                              seconds)

    def close(self) -> None:
        self.con.close()
