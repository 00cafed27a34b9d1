"""`bench scale`: sizes parsed and turned into sensors, a `bench run` per size in its own
process, and the table, Markdown, plot and page of how the figures grow with the points."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bench_expectations import QUERIES, TINY_POINTS, TINY_ROWS, schema_problems
from click.testing import CliRunner

from tsengine.bench.scale import label, parse_points, run_scales, sensors_for
from tsengine.bench.targets import BenchError
from tsengine.cli.main import cli


def test_sizes_and_their_sensors() -> None:
    assert parse_points("20M, 1M,5M,1M") == [1_000_000, 5_000_000, 20_000_000]
    assert parse_points("500k,2.5M,1200") == [1200, 500_000, 2_500_000]
    for bad in ("1X", "", "-1M", "0"):
        with pytest.raises(BenchError, match="not a number of points"):
            parse_points(bad)
    assert [label(n) for n in (1_000_000, 2_500_000, 500_000, 1200, 999)] == [
        "1M", "2.5M", "500k", "1.2k", "999"]
    # a day every 10 s is 8,640 intervals; 106 sensors and 10 machines write 1,002,240 points
    assert sensors_for(1_000_000, "24h", "10s") == 106
    assert sensors_for(20_000_000, "24h", "10s") == 2105  # 2,315 series: 20,001,600 points
    assert sensors_for(TINY_POINTS, "2h", "30s") == 4  # 4 sensors and a machine, 240 times
    assert sensors_for(10, "2h", "30s") == 1  # at least one sensor


def test_cli_runs_each_size_and_reports_the_growth(tmp_path: Path) -> None:
    out = tmp_path / "scale"
    args = ["bench", "scale", "-q", "--points", "2400,1200", "--duration", "2h",
            "--interval", "30s", "--batch-size", "500", "--query-rounds", "1",
            "--baseline", "duckdb", "--report", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    lines = {line.split("  ")[0]: line.split() for line in result.stdout.splitlines()}
    assert lines["figure"] == ["figure", "1.2k", "2.4k", "2.4k/1.2k"]
    assert lines["points"] == ["points", "1,200", "2,400", "2.00x"]
    for name in QUERIES:
        assert f"{name} p50 ms" in lines and f"{name} / duckdb" in lines, name
    for figure in ("ingest points/s", "disk bytes/field value", "peak RSS MB"):
        assert figure in lines and "-" not in lines[figure][-3:-1], figure
    assert (out / "scale.md").read_text().startswith("| figure | 1.2k | 2.4k | 2.4k/1.2k |")
    svg = (out / "scale.svg").read_text()
    assert svg.startswith("<svg") and "query p50" in svg
    html = (out / "index.html").read_text()
    assert html.count("<svg") == 1 and 'href="runs/1.2k.json"' in html
    summary = json.loads((out / "scale.json").read_text())
    assert [s["points"] for s in summary["scales"]] == [1200, 2400]
    assert [s["sensors"] for s in summary["scales"]] == [4, 9]
    small = json.loads((out / "runs" / "1.2k.json").read_text())
    assert schema_problems(small) == [] and small["disk"]["field_values"] == 1200 * 5
    assert {q["name"]: q["rows"] for q in small["query"]["queries"]} == TINY_ROWS
    figures = {f["name"]: f["values"] for f in summary["figures"]}
    assert figures["points"] == [1200, 2400]
    assert figures["last_point / duckdb"][0] == small["query"]["queries"][0]["baseline"]["ratio"]

    def refuse(argv: list[str]) -> None:
        raise AssertionError(f"ran {argv}")

    kept = run_scales([1200, 2400], [], out, duration="2h", interval="30s", bucket="bench",
                      per_scale_bucket=False, resume=True, runner=refuse)  # type: ignore[arg-type]
    assert [r.points for r in kept] == [1200, 2400]


def test_a_failed_size_names_its_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["bench", "scale", "-q", "--points", "1200", "--duration",
                                      "2h", "--interval", "30s", "--target", "ftp://x",
                                      "--report", str(tmp_path / "s")])
    assert result.exit_code == 1
    assert "scale 1.2k: bench run exited with status 1" in result.output
    refused = CliRunner().invoke(cli, ["bench", "scale", "--points", "1M", "--workload",
                                       "query", "--report", str(tmp_path / "t")])
    assert refused.exit_code == 1 and "--workload needs ingest" in refused.output
