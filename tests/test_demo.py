"""`make demo`: a day of telemetry written, compacted and described."""

from __future__ import annotations

import sys

import pytest

from tsengine import Engine, demo

FIELDS = ("battery (integer), humidity (float), pressure (float), status (string), "
          "temperature (float)")


def test_demo_summary(tmp_path, capsys):
    data_dir = str(tmp_path / "demo")
    demo.run(data_dir, sensors=3)
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == f"data directory: {data_dir}"
    assert lines[1] == "writing 25,920 points (3 sensors, every 10 s for a day) ..."
    assert lines[2].startswith("generated and wrote 25,920 points in ")
    assert lines[3] == "compacted 25,920 hot rows into 1 Parquet file(s)"
    assert lines[4:9] == [
        "",
        'bucket "telemetry":',
        "  environmental_sensors: 3 series, 25,920 points, "
        "2024-01-01T00:00:00Z .. 2024-01-01T23:59:50Z",
        "    tags:   location, region, sensor_id",
        f"    fields: {FIELDS}",
    ]
    assert lines[9:11] == ["", "first exported lines:"]
    exported = lines[11:14]
    assert all(line.startswith("  environmental_sensors,location=") for line in exported)
    with Engine.open(data_dir) as engine:
        [stats] = engine.stats("telemetry")
        assert (stats.series, stats.points) == (3, 25_920)
        assert engine.store.hot_rows() == 0
        assert [f"  {line}" for line in engine.export_lines("telemetry")][:3] == exported
    query = lines[14:]
    assert query[:2] == ["", "a Flux query:"]
    assert "predicate=(sensor_id == 'sensor-00001' and _field == 'temperature')" in "\n".join(query)
    assert "StorageWindowAggregate(fn=mean, every=1h" in "\n".join(query)
    rows = [line for line in query if line.startswith(",,0,")]
    assert len(rows) == 3 and all(",temperature,environmental_sensors," in r for r in rows)
    assert [r.split(",")[5] for r in rows] == ["2024-01-01T13:00:00Z", "2024-01-01T14:00:00Z",
                                              "2024-01-01T15:00:00Z"]


def test_demo_main_refuses_a_used_directory(tmp_path, monkeypatch, capsys):
    data_dir = str(tmp_path / "demo")
    monkeypatch.setattr(sys, "argv", ["demo", "--data-dir", data_dir, "--sensors", "1"])
    demo.main()
    assert "1 series, 8,640 points" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exited:
        demo.main()
    assert exited.value.code == (
        f"Error: bucket with name telemetry already exists (remove {data_dir} or pick another "
        "--data-dir)")
    monkeypatch.setattr(sys, "argv", ["demo", "--data-dir", data_dir, "--sensors", "0"])
    with pytest.raises(SystemExit) as exited:
        demo.main()
    assert exited.value.code == 2
