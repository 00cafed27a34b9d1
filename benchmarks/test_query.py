"""Queries over 1,000,000 points x 5 fields in Parquet, against hand-written DuckDB SQL over the
same Parquet files (the baseline, measured in the same run).

(1) 10-minute means of one field over the whole span, (2) the same for one location, (3) the
last point of every series and field. Each tsengine query returns its tables as Polars frames;
each DuckDB query returns its rows as a Polars frame.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from datasets import INGEST_SPEC

from tsengine import Engine

START, STOP = "2024-01-01T00:00:00Z", "2024-01-01T03:00:00Z"
RANGE = f'from(bucket: "telemetry") |> range(start: {START}, stop: {STOP})'
FIELD = ('|> filter(fn: (r) => r._measurement == "environmental_sensors"'
         ' and r._field == "temperature"')
LOCATION = "us-east-site-01"
FLUX = {
    "window_mean": f"{RANGE} {FIELD}) |> aggregateWindow(every: 10m, fn: mean)",
    "window_mean_location": f'{RANGE} {FIELD} and r.location == "{LOCATION}")'
                            " |> aggregateWindow(every: 10m, fn: mean)",
    "last": f"{RANGE} |> last()",
}


@pytest.fixture(scope="module")
def engine(lp_path: Path, module_scratch: Path):
    """The telemetry written and compacted to Parquet, as a query workload finds it."""
    with Engine.open(module_scratch / "data") as e:
        e.create_bucket("telemetry")
        e.write("telemetry", lp_path.read_bytes())
        e.compact()
        yield e


@pytest.fixture(scope="module")
def duck(engine: Engine):
    """A DuckDB connection with a view `t` over the same Parquet files, columns by their names."""
    store = engine.store
    bucket = store.catalog.bucket(store.catalog.org().id, "telemetry")
    (m,) = store.catalog.measurements(bucket.id)
    files = [store.catalog.full_path(p.path) for p in store.catalog.partitions(bucket.id, m.id)]
    names = ", ".join(f"{c.col} AS {c.name}" for c in (*m.tags.values(), *m.fields.values()))
    con = duckdb.connect()
    con.execute(f"CREATE VIEW t AS SELECT make_timestamp_ns(time) AS time, {names} "
                f"FROM read_parquet({files!r})")
    yield con
    con.close()


SQL = {
    "window_mean": """
        SELECT sensor_id, location, region, time_bucket(INTERVAL '10 minutes', time) AS w,
               avg(temperature) AS mean
        FROM t WHERE time >= '{start}' AND time < '{stop}' AND temperature IS NOT NULL
        GROUP BY ALL""",
    "window_mean_location": """
        SELECT sensor_id, location, region, time_bucket(INTERVAL '10 minutes', time) AS w,
               avg(temperature) AS mean
        FROM t WHERE time >= '{start}' AND time < '{stop}' AND temperature IS NOT NULL
          AND location = '{location}'
        GROUP BY ALL""",
    "last": """
        SELECT sensor_id, location, region,
               arg_max(temperature, time) FILTER (temperature IS NOT NULL),
               arg_max(humidity, time) FILTER (humidity IS NOT NULL),
               arg_max(pressure, time) FILTER (pressure IS NOT NULL),
               arg_max(battery, time) FILTER (battery IS NOT NULL),
               arg_max(status, time) FILTER (status IS NOT NULL)
        FROM t WHERE time >= '{start}' AND time < '{stop}'
        GROUP BY ALL""",
}
EXPECTED_TABLES = {"window_mean": INGEST_SPEC.sensors, "last": INGEST_SPEC.sensors * 5}


@pytest.mark.parametrize("query", list(FLUX))
def test_query_tsengine(benchmark, engine: Engine, query: str) -> None:
    tables = benchmark.pedantic(engine.query, args=(FLUX[query],), rounds=15, iterations=1,
                                warmup_rounds=1)["_result"]
    if query in EXPECTED_TABLES:
        assert len(tables) == EXPECTED_TABLES[query]


@pytest.mark.parametrize("query", list(SQL))
def test_query_duckdb_baseline(benchmark, duck, query: str) -> None:
    sql = SQL[query].format(start=START.replace("T", " ").rstrip("Z"),
                            stop=STOP.replace("T", " ").rstrip("Z"), location=LOCATION)
    frame = benchmark.pedantic(lambda: duck.sql(sql).pl(), rounds=15, iterations=1,
                               warmup_rounds=1)
    assert frame.height > 0
