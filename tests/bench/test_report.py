"""`bench run --report DIR`: the self-contained HTML page (a chart per measured distribution,
the figures, machine and command) and the results JSON with the raw timings behind the charts."""

from __future__ import annotations

import json
import re
from html import escape
from pathlib import Path

import pytest
from bench_expectations import TINY, sample_result, schema_problems
from click.testing import CliRunner

from tsengine.bench.html_report import run_page, write_run_report
from tsengine.bench.plots import rolling_rate
from tsengine.bench.report import render
from tsengine.bench.results import SCHEMA_VERSION
from tsengine.cli.main import cli

CHARTS = ("ingest throughput over time", "ingest: latency of each batch",
          "query latency per round", "task runs: latency of each run")


def test_the_page_holds_every_chart_and_the_figures(tmp_path: Path) -> None:
    result = sample_result()
    page = write_run_report(result, tmp_path / "report")
    html = page.read_text()
    assert page == tmp_path / "report" / "index.html"
    assert html.count("<svg") == len(CHARTS)
    for title in CHARTS:
        assert title in html  # SVG text stays text
    assert escape(render(result)) in html  # the same figures as the text report
    for figure in ("12,500", "last_point", "mean_10m_day", "DuckDB SQL baseline",
                   "Test CPU 3000", "tsengine bench run --scale 4", "iot_sensor_rollup"):
        assert figure in html, figure
    # self-contained: nothing fetched (the SVG namespaces are names, not requests)
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    assert "<script" not in html and "<link" not in html
    ids = re.findall(r'\bid="([^"]+)"', html)  # the charts' ids, unique across the page
    assert len(ids) == len(set(ids)) and set(re.findall(r'href="#([^"]+)"', html)) <= set(ids)
    doc = json.loads((tmp_path / "report" / "results.json").read_text())
    assert doc["schema_version"] == SCHEMA_VERSION and schema_problems(doc) == []


def test_workloads_without_timings_are_said_not_drawn() -> None:
    result = sample_result()
    result.ingest = None
    assert result.query is not None and result.tasks is not None
    for q in result.query.queries:
        q.round_seconds, q.error = [], "FluxRuntimeError: boom"
    result.query.status, result.query.reason = "failed", "failed: last_point, mean_10m_day"
    result.tasks.run_seconds = []
    result.tasks.status, result.tasks.reason = "unsupported", "influxdb1 has no tasks"
    html = run_page(result)
    assert "<svg" not in html and "Ingest" not in html
    assert "No query timings to plot: failed: last_point, mean_10m_day" in html
    assert "No tasks timings to plot: influxdb1 has no tasks" in html


def test_rolling_rate_counts_points_since_a_completion_a_window_back() -> None:
    assert rolling_rate([1, 2, 3, 4], [10] * 4, 1.5) == [10.0] * 4
    # two clients finishing together: the rate is over the time since the earlier completion
    assert rolling_rate([1, 1, 2, 2], [10] * 4, 0.5) == [10.0, 20.0, 10.0, 20.0]
    assert rolling_rate([], [], 1.0) == []


def test_cli_tiny_run_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(cli, [
        "bench", "run", "-q", "--scale", str(TINY["scale"]), "--duration", TINY["duration"],
        "--interval", TINY["interval"], "--batch-size", str(TINY["batch_size"]),
        "--query-rounds", str(TINY["query_rounds"]), "--data-dir", str(tmp_path / "data"),
        "--report", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "index.html").read_text()
    assert html.count("<svg") == len(CHARTS)
    doc = json.loads((out / "results.json").read_text())
    assert schema_problems(doc) == []
    ingest = doc["ingest"]
    timeline = ingest["batch_timeline"]
    assert len(timeline) == ingest["batches"] == 3
    assert sum(b["points"] for b in timeline) == ingest["points"]
    assert max(b["done_at"] for b in timeline) <= ingest["seconds"]
    assert sorted(b["seconds"] for b in timeline)[1] == pytest.approx(ingest["latency"]["p50"])
    for q in doc["query"]["queries"]:
        assert len(q["round_seconds"]) == q["latency"]["count"] == TINY["query_rounds"]
        assert max(q["round_seconds"]) == q["latency"]["max"]
        assert f"{q['latency']['p50'] * 1000:,.1f}" in html, q["name"]
    assert len(doc["tasks"]["run_seconds"]) == doc["tasks"]["runs"] == 4
