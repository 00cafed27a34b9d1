"""The query set: each query run once to warm up, then timed `rounds` times; p50/p95/p99 and
the rows it answered, and with a baseline the same question as DuckDB SQL beside it."""

from __future__ import annotations

import time

from tsengine.bench.baseline import DuckDBBaseline
from tsengine.bench.progress import Progress, no_progress
from tsengine.bench.queries import BenchQuery
from tsengine.bench.results import QueryResult, QueryWorkload
from tsengine.bench.stats import Latency
from tsengine.bench.targets import Target


def run_queries(target: Target, queries: list[BenchQuery], *, rounds: int = 5,
                baseline: DuckDBBaseline | None = None,
                progress: Progress = no_progress) -> QueryWorkload:
    """Every query of the set against the target; a failing query is reported, not fatal."""
    per_query = (rounds + 1) * (2 if baseline else 1)
    out = []
    with progress("queries", len(queries) * per_query) as bar:
        for q in queries:
            text = q.influxql if target.language == "influxql" else q.flux
            result = QueryResult(q.name, q.description, target.language, text, rounds,
                                 Latency.of([]), 0, None)
            try:
                result.rows = target.query(text)
                bar.update(1)
                seconds = []
                for _ in range(rounds):
                    began = time.perf_counter()
                    result.rows = target.query(text)
                    seconds.append(time.perf_counter() - began)
                    bar.update(1)
                result.latency = Latency.of(seconds)
                result.round_seconds = seconds
            except Exception as e:  # noqa: BLE001 - one failing query does not end the run
                result.error = f"{type(e).__name__}: {_first_line(e)}"
            result.peak_rss_bytes = target.peak_rss()
            if baseline is not None:
                result.baseline = baseline.measure(q.sql, rounds, lambda: bar.update(1),
                                                   result.latency.p50)
            out.append(result)
    failed = [r.name for r in out if r.error]
    return QueryWorkload("failed" if failed else "ok",
                         f"failed: {', '.join(failed)}" if failed else None, out)


def _first_line(e: Exception) -> str:
    lines = str(e).strip().splitlines()
    return lines[0] if lines else ""
