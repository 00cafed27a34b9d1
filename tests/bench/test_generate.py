"""The benchmark telemetry generator and `tsengine bench generate`: deterministic, streaming,
with gaps, late points and all four field types."""

from __future__ import annotations

import gzip
import hashlib

import pytest
from click.testing import CliRunner

from storage import FieldType, parse
from tsengine.bench.generate import (
    TelemetrySpec,
    TelemetryStats,
    telemetry_frames,
    telemetry_line_protocol,
    to_line_protocol,
)
from tsengine.cli.main import cli

SPEC = TelemetrySpec(sensors=20, machines=4, intervals=120, seed=3)
IRREGULAR = TelemetrySpec(sensors=20, machines=4, intervals=120, seed=3, gap_rate=0.1,
                          late_rate=0.05, late_intervals=20)


def text(spec: TelemetrySpec, chunk_intervals: int = 30) -> str:
    return "".join(telemetry_line_protocol(spec, chunk_intervals))


def times(lp: str) -> list[int]:
    return [int(line.rsplit(" ", 1)[1]) for line in lp.splitlines()]


def test_default_spec_keeps_the_benchmark_bytes():
    """No machines, gaps or late points: the bytes the benchmark datasets were made with."""
    spec = TelemetrySpec(sensors=7, intervals=33)
    via_frames = "".join(to_line_protocol(f) for f in telemetry_frames(spec))
    assert text(spec, 100) == via_frames
    assert hashlib.sha256(via_frames.encode()).hexdigest()[:16] == "cb957f4e3cc3e898"


def test_same_seed_same_bytes_other_seed_other_bytes():
    assert text(IRREGULAR) == text(IRREGULAR)
    other = text(TelemetrySpec(**{**IRREGULAR.__dict__, "seed": 4}))
    assert other != text(IRREGULAR)


def test_point_counts_with_and_without_gaps():
    assert len(text(SPEC).splitlines()) == SPEC.points == 24 * 120
    stats = TelemetryStats()
    lp = "".join(telemetry_line_protocol(IRREGULAR, 30, stats))
    lines = lp.splitlines()
    assert stats.points == len(lines) == IRREGULAR.points - stats.gaps
    assert 0.07 * IRREGULAR.points < stats.gaps < 0.13 * IRREGULAR.points
    assert stats.bytes == len(lp.encode())
    # a gap is a missed interval: every (series, time) appears at most once
    keys = {(line.split(" ", 1)[0], line.rsplit(" ", 1)[1]) for line in lines}
    assert len(keys) == len(lines)


def test_late_points_appear_after_later_timestamps_and_in_later_chunks():
    stats = TelemetryStats()
    chunks = list(telemetry_line_protocol(IRREGULAR, 10, stats))
    assert stats.late > 0
    ts = times("".join(chunks))
    # a point is late when some earlier-written point has a later timestamp
    high, lateness = 0, []
    for t in ts:
        lateness.append(max(0, high - t))
        high = max(high, t)
    assert sum(1 for d in lateness if d) == stats.late
    assert max(lateness) <= IRREGULAR.late_intervals * IRREGULAR.interval
    # with 10 intervals per chunk, some late points are written in a chunk after their own
    span = 10 * IRREGULAR.interval
    later_chunk = sum(1 for i, c in enumerate(chunks) for t in times(c)
                      if (t - IRREGULAR.start) // span < i)
    assert later_chunk > 0
    # without lateness the output is in time order
    assert times(text(SPEC)) == sorted(times(text(SPEC)))


def test_every_line_parses_with_all_four_field_types():
    lp = text(IRREGULAR)
    batch = parse(lp)
    assert batch.points == len(lp.splitlines()) and not batch.dropped
    fields = {s.measurement: dict(s.fields) for s in batch.segments}
    assert fields == {
        "environmental_sensors": {
            "battery": FieldType.INTEGER, "humidity": FieldType.FLOAT,
            "pressure": FieldType.FLOAT, "status": FieldType.STRING,
            "temperature": FieldType.FLOAT},
        "machine_vibration": {
            "bearing_temperature": FieldType.FLOAT, "revolutions": FieldType.INTEGER,
            "rpm": FieldType.FLOAT, "running": FieldType.BOOLEAN, "vibration": FieldType.FLOAT},
    }
    points = batch.to_points()
    machines = [p for p in points if p.measurement == "machine_vibration"]
    assert {dict(p.tags)["machine_id"] for p in machines} == {f"machine-{i:04d}" for i in range(4)}
    assert {dict(p.tags)["region"] for p in machines} == {"us-east", "us-west", "eu-central",
                                                          "ap-south"}
    # the revolutions counter only goes up, per machine, in time order
    by_machine: dict[str, list[tuple[int, int]]] = {}
    for p in machines:
        values = {k: v for k, _, v in p.fields}
        assert values["rpm"] == 0.0 if not values["running"] else values["rpm"] > 500
        series = by_machine.setdefault(dict(p.tags)["machine_id"], [])
        series.append((p.time, values["revolutions"]))
    for series in by_machine.values():
        revolutions = [r for _, r in sorted(series)]
        assert revolutions == sorted(revolutions) and revolutions[-1] > revolutions[0]


def test_machines_stop_for_maintenance():
    spec = TelemetrySpec(sensors=0, machines=3, intervals=8 * 360, interval=10 * 10**9)
    running = [line.split("running=")[1].split(",")[0] for line in text(spec, 360).splitlines()]
    assert running.count("false") == 3 * 180  # 30 minutes of every 8 hours, 10 s apart


def test_streams_in_chunks():
    spec = TelemetrySpec(sensors=100, machines=10, intervals=200, late_rate=0.01)
    sizes = [len(c) for c in telemetry_line_protocol(spec, 20)]
    assert len(sizes) == 10
    assert sum(sizes) > 3_000_000 and max(sizes) < sum(sizes) / 5


@pytest.mark.parametrize("extra", [[], ["--gap-rate", "0.1", "--late-rate", "0.05"]])
def test_cli_writes_gzip_plain_and_stdout_alike(tmp_path, extra):
    runner = CliRunner()
    args = ["bench", "generate", "--scale", "20", "--duration", "10m", "--interval", "10s",
            "--seed", "5", "--start", "2024-03-01T00:00:00Z", *extra]
    gz, plain = tmp_path / "t.lp.gz", tmp_path / "t.lp"
    for path in (gz, plain):
        result = runner.invoke(cli, [*args, "-o", str(path)], obj={})
        assert result.exit_code == 0, (result.stderr, result.exception)
    lp = plain.read_text()
    assert gzip.decompress(gz.read_bytes()).decode() == lp
    lines = lp.splitlines()
    summary = result.stderr.strip().splitlines()[-1]
    assert summary.startswith(f"generated {len(lines):,} points (22 series, ")
    assert f"{len(lp):,} bytes of line protocol to {plain}" in summary
    if not extra:
        assert len(lines) == 22 * 60
        assert min(times(lp)) == 1_709_251_200 * 10**9
        assert max(times(lp)) == 1_709_251_200 * 10**9 + 59 * 10 * 10**9
    out = runner.invoke(cli, [*args, "-o", "-"], obj={})
    assert out.exit_code == 0 and out.stdout == lp
    again = runner.invoke(cli, [*args, "-o", str(gz), "--quiet"], obj={})
    assert again.exit_code == 0 and again.stderr == ""
    assert gzip.decompress(gz.read_bytes()).decode() == lp


def test_cli_rejects_bad_durations(tmp_path):
    runner = CliRunner()
    result = runner.invoke(cli, ["bench", "generate", "--duration", "soon", "-o",
                                 str(tmp_path / "x.lp")], obj={})
    assert result.exit_code == 1 and "invalid duration 'soon'" in result.stderr
    result = runner.invoke(cli, ["bench", "generate", "--duration", "5s", "-o",
                                 str(tmp_path / "x.lp")], obj={})
    assert result.exit_code == 1 and "shorter than one --interval" in result.stderr
