"""`bench compare`: results files side by side with ratios to the first, printed and as an
HTML page of grouped bar charts; files of a schema this tsengine does not read are refused."""

from __future__ import annotations

import json
from pathlib import Path

from bench_expectations import sample_result
from click.testing import CliRunner

from tsengine.bench.compare import compare, load
from tsengine.cli.main import cli


def write(tmp_path: Path, name: str, speed: float = 1.0, kind: str = "embedded",
          **changes: object) -> Path:
    doc = sample_result(speed, kind).to_dict()
    doc.update(changes)
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


def test_two_files_side_by_side(tmp_path: Path) -> None:
    a = write(tmp_path, "embedded")
    b = write(tmp_path, "server", speed=2.0, kind="influxdb2")
    out = tmp_path / "cmp"
    result = CliRunner().invoke(cli, ["bench", "compare", str(a), str(b), "--report", str(out)])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "embedded: the embedded engine" in text
    assert "server: influxdb2 at http://127.0.0.1:8086" in text
    lines = {line.split("  ")[0]: line.split() for line in text.splitlines()}
    head = lines["metric"]
    assert head == ["metric", "embedded", "server", "server/embedded"]
    assert lines["ingest points/s"][-3:] == ["12,500", "25,000", "2.00x"]
    assert lines["last_point p50 ms"][-3:] == ["11.0", "5.5", "0.50x"]
    assert lines["mean_10m_day p99 ms"][-1] == "0.50x"
    assert lines["tasks runs/s"][-3:] == ["4.0", "8.0", "2.00x"]
    assert lines["peak RSS MB"][-3:] == ["230", "230", "1.00x"]
    assert lines["disk bytes/field value"][-3:] == ["1.20", "1.20", "1.00x"]
    assert lines["disk MB"][-3:] == ["9.0", "9.0", "1.00x"]
    assert lines["last_point rows"][-3:] == ["4", "4", "1.00x"]  # the same answer
    html = (out / "index.html").read_text()
    assert html.count("<svg") == 3  # query p50, query p99, throughput and memory
    for word in ("embedded", "server", "25,000", "2.00x", 'class="better"', "last_point"):
        assert word in html, word


def test_a_version_1_file_still_compares_and_notes_are_given(tmp_path: Path) -> None:
    old = sample_result().to_dict()
    old["schema_version"] = 1
    assert old["ingest"] is not None
    del old["ingest"]["batch_timeline"]
    del old["disk"]
    a = tmp_path / "old.json"
    a.write_text(json.dumps(old))
    b = write(tmp_path, "new", dataset={**old["dataset"], "points": 3000},
              machine={**old["machine"], "processor": "Other CPU"})
    comparison = compare(load([a, b]))
    assert comparison.values("ingest points/s") == [12_500, 12_500]
    assert comparison.values("disk bytes/field value") == [None, 1.2]  # no disk before 3
    assert any("different data sets" in n for n in comparison.notes)
    assert any("different machines" in n for n in comparison.notes)


def test_refusals(tmp_path: Path) -> None:
    good = write(tmp_path, "good")
    future = write(tmp_path, "future", schema_version=99)
    (tmp_path / "notjson.json").write_text("tsengine")
    (tmp_path / "other.json").write_text('{"hello": 1}')
    runner = CliRunner()
    for files, message in (
            ([good, future], "future.json has schema_version 99, which this tsengine does not "
                             "read (it reads 1, 2, 3)"),
            ([good, tmp_path / "notjson.json"], "is not a bench results file: not JSON"),
            ([good, tmp_path / "other.json"], "is not a bench results file (no schema_version)"),
            ([good, tmp_path / "missing.json"], "missing.json: no such file"),
            ([good], "needs at least two results files")):
        result = runner.invoke(cli, ["bench", "compare", *map(str, files)])
        assert result.exit_code == 1 and message in result.output, result.output
