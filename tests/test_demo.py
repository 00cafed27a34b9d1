"""`make demo`: the example pipeline over a day, scheduled hour by hour and checked in Polars."""

from __future__ import annotations

import contextlib
import io
import sys

import pytest

from storage import FixedClock, format_time
from tsengine import Engine, demo

DAY = 1_704_067_200 * demo.SECOND  # 2024-01-01: the engine's clock is fixed, so any day works
SENSORS = 2
FIELDS = 4  # battery, humidity, pressure, temperature: the numeric fields
HOUR = demo.HOUR


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    """One demo run shared by the tests below: (its result, its printed lines, its directory)."""
    data_dir = str(tmp_path_factory.mktemp("demo") / "data")
    out = io.StringIO()  # capsys is per test: the output is caught by hand
    with contextlib.redirect_stdout(out):
        result = demo.run(data_dir, sensors=SENSORS, day=DAY)
    return result, out.getvalue().splitlines(), data_dir


def test_last_complete_day():
    assert demo.last_complete_day(DAY + demo.DAY) == DAY
    assert demo.last_complete_day(DAY + demo.DAY + 1) == DAY
    assert demo.last_complete_day(DAY + 2 * demo.DAY - 1) == DAY


def test_every_run_succeeds(ran):
    result, lines, _ = ran
    assert result.ok
    assert result.points == SENSORS * 8640
    assert [(t.name, t.runs, t.succeeded, t.first, t.last) for t in result.tasks] == [
        ("iot_sensor_rollup", 24, 24, DAY + HOUR, DAY + 24 * HOUR),
        ("hourly_rollup", 24, 24, DAY + HOUR, DAY + 24 * HOUR),
    ]
    ticks = [line for line in lines if line.startswith("  tick ")]
    assert ticks == [f"  tick {format_time(DAY + h * HOUR + 10 * demo.MINUTE)}: 2 runs, "
                     "2 succeeded, 0 failed" for h in range(1, 25)]
    span = "scheduledFor 2024-01-01T01:00:00Z .. 2024-01-02T00:00:00Z, all success"
    assert f"  iot_sensor_rollup: 24 runs, {span}" in lines
    assert f"  hourly_rollup: 24 runs, {span}" in lines


def test_the_tasks_equal_the_direct_computation(ran):
    result, lines, _ = ran
    ten, hourly = SENSORS * FIELDS * 144, SENSORS * FIELDS * 24
    check = result.check
    assert (check.ten_minute, check.hourly) == (ten, hourly)
    assert (check.expected_ten_minute, check.expected_hourly) == (ten, hourly)
    assert check.max_difference <= 1e-9 and check.max_raw_difference <= 1e-9
    assert any(line.startswith(f"checked: {ten:,} ten-minute means and {hourly} hourly means "
                               "equal the direct Polars computation") for line in lines)


def test_the_table_of_values(ran):
    _, lines, _ = ran
    start = lines.index("sensor-00000 temperature, the first 3 hours:")
    rows = [line.split() for line in lines[start + 2:start + 5]]
    assert [r[0] for r in rows] == ["2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z",
                                    "2024-01-01T02:00:00Z"]
    for row in rows:
        tens, rollup, direct = [float(v) for v in row[1:7]], float(row[7]), float(row[8])
        assert len(row) == 9
        assert rollup == direct  # the task's hourly mean, and Flux's straight from the raw data
        assert abs(sum(tens) / 6 - rollup) < 0.01  # the 10-minute means are printed rounded
    plan = "\n".join(lines[start + 5:])
    assert "StorageWindowAggregate(fn=mean, every=1h" in plan


def test_what_is_stored(ran):
    _, lines, data_dir = ran
    # the raw points expire 7 days after the day: read as on the day after
    with Engine.open(data_dir, clock=FixedClock(DAY + demo.DAY)) as engine:
        counts = {b: [(s.series, s.points) for s in engine.stats(b)]
                  for b in ("raw_telemetry", "aggregated_telemetry", "hourly_rollups")}
        assert counts == {"raw_telemetry": [(SENSORS, SENSORS * 8640)],
                          "aggregated_telemetry": [(SENSORS, SENSORS * 144)],
                          "hourly_rollups": [(SENSORS, SENSORS * 24)]}
        assert engine.bucket("raw_telemetry").retention == 7 * demo.DAY
    assert lines[1] == ("the day: 2024-01-01T00:00:00Z .. 2024-01-02T00:00:00Z (the last "
                        "complete UTC day: raw_telemetry keeps 7 days)")


def test_main_runs_yesterday_and_refuses_a_used_directory(tmp_path, monkeypatch, capsys):
    data_dir = str(tmp_path / "demo")
    monkeypatch.setattr(sys, "argv", ["demo", "--data-dir", data_dir, "--sensors", "1"])
    demo.main()
    out = capsys.readouterr().out
    assert "checked: 576 ten-minute means and 96 hourly means equal" in out
    with pytest.raises(SystemExit) as exited:
        demo.main()
    assert exited.value.code == (
        f"Error: bucket with name raw_telemetry already exists (remove {data_dir} or pick "
        "another --data-dir)")
    monkeypatch.setattr(sys, "argv", ["demo", "--data-dir", data_dir, "--sensors", "0"])
    with pytest.raises(SystemExit) as exited:
        demo.main()
    assert exited.value.code == 2


def test_a_wrong_rollup_fails_the_check(tmp_path, monkeypatch, capsys):
    """Without the hourly stage nothing reaches hourly_rollups: the demo exits non-zero."""
    monkeypatch.setattr(demo, "PIPELINE", ("iot_sensor_rollup.flux",))
    monkeypatch.setattr(sys, "argv", ["demo", "--data-dir", str(tmp_path / "d"),
                                      "--sensors", "1"])
    with pytest.raises(SystemExit) as exited:
        demo.main()
    assert isinstance(exited.value.code, str) and exited.value.code.startswith("Error: ")
    out = capsys.readouterr().out
    assert "CHECK FAILED: the tasks wrote 576 ten-minute and 0 hourly means, Polars computes " \
           "576 and 96" in out
