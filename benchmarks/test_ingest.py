"""Ingest of 1,000,000 lines from a file into a bucket, end to end (read, parse, validate,
durable write), against DuckDB loading the same points from CSV into a table."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb

from tsengine import Engine

_dirs = itertools.count()


def test_ingest_tsengine(benchmark, lp_path: Path, new_engine) -> None:
    def ingest(engine: Engine) -> None:
        result = engine.write("telemetry", lp_path.read_bytes())
        engine.close()
        assert result.written == 1_000_000 and not result.dropped

    benchmark.pedantic(ingest, setup=new_engine, rounds=3, iterations=1)


def test_ingest_duckdb_csv_baseline(benchmark, csv_path: Path, scratch: Path) -> None:
    def setup():
        return (duckdb.connect(str(scratch / f"db-{next(_dirs)}.duckdb")),), {}

    def load(con: duckdb.DuckDBPyConnection) -> None:
        con.execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{csv_path}')")
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1_000_000
        con.close()

    benchmark.pedantic(load, setup=setup, rounds=3, iterations=1)
