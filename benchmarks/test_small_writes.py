"""Small writes: 200 requests of 1 or 1,000 lines in a row into one bucket (what a client writing
point by point, or in its default 1,000-point batches, sends), each durable before the next,
against DuckDB taking the same rows with one INSERT (its own durable transaction) per request.
A request's fixed cost shows here, where the 1,000,000-line ingest hides it."""

from __future__ import annotations

import itertools
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tsengine import Engine

REQUESTS = 200
SIZES = (1, 1_000)
_dirs = itertools.count()


@pytest.fixture(scope="module")
def requests_lp(lp_path: Path) -> dict[int, list[bytes]]:
    """For each size, the first REQUESTS x size lines of the telemetry, size lines a request."""
    with open(lp_path, "rb") as f:  # only the lines needed, not the whole file
        lines = [line.rstrip(b"\n") for line in itertools.islice(f, REQUESTS * max(SIZES))]
    return {n: [b"\n".join(lines[i * n:(i + 1) * n]) for i in range(REQUESTS)] for n in SIZES}


@pytest.fixture(scope="module")
def requests_rows(csv_path: Path) -> dict[int, list[pl.DataFrame]]:
    """The same points as rows, size rows a request."""
    rows = pl.read_csv(csv_path, n_rows=REQUESTS * max(SIZES))
    return {n: [rows.slice(i * n, n) for i in range(REQUESTS)] for n in SIZES}


@pytest.mark.parametrize("lines", SIZES)
def test_small_writes_tsengine(benchmark, requests_lp, new_engine, lines: int) -> None:
    def write(engine: Engine) -> None:
        written = sum(engine.write("telemetry", body).written for body in requests_lp[lines])
        engine.close()
        assert written == REQUESTS * lines

    benchmark.pedantic(write, setup=new_engine, rounds=3, iterations=1)


@pytest.mark.parametrize("lines", SIZES)
def test_small_writes_duckdb_baseline(benchmark, requests_rows, scratch: Path,
                                      lines: int) -> None:
    schema = requests_rows[lines][0].head(0)

    def setup():
        con = duckdb.connect(str(scratch / f"db-{next(_dirs)}.duckdb"))
        con.register("columns", schema)
        con.execute("CREATE TABLE t AS SELECT * FROM columns")
        con.unregister("columns")
        return (con,), {}

    def insert(con: duckdb.DuckDBPyConnection) -> None:
        for frame in requests_rows[lines]:  # noqa: B007 - read by DuckDB's replacement scan
            con.execute("INSERT INTO t SELECT * FROM frame")
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == REQUESTS * lines
        con.close()

    benchmark.pedantic(insert, setup=setup, rounds=3, iterations=1)
