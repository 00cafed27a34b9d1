"""TaskService end to end: the example rollup checked against Polars, reruns and backfill that
change nothing, backfill equal to live scheduling, manual runs and run history."""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl
import pytest
from task_helpers import DAY, OpenEngine, at

from storage import format_time
from tsengine import Engine
from tsengine.errors import TaskError
from tsengine.tasks.model import Run, Task

S = 1_000_000_000
M = 60 * S
H = 60 * M
ROLLUP = (Path(__file__).parents[2] / "examples" / "iot_sensor_rollup.flux").read_text()






@pytest.fixture
def open_engine(engines: OpenEngine) -> OpenEngine:
    """Engines whose tasks are created at 00:00 unless told otherwise."""

    def make(created: str = "00:00", **kwargs: object) -> Engine:
        return engines(created, **kwargs)
    return make


# -- the raw data: two sensors, one reading a minute (jittered), a gap, another measurement ------
def readings(hours: int, seed: int = 7) -> pl.DataFrame:
    """Raw environmental readings from 00:00 for `hours`, plus one at the end (outside every run
    so far). Values are quarters, so every sum is exact and means compare exactly."""
    rng = random.Random(seed)
    rows = []
    for sensor in ("s1", "s2"):
        for minute in range(hours * 60 + 1):
            jitter = 0 if minute % 60 == 0 else rng.randrange(60) * S
            if sensor == "s2" and 80 <= minute < 100:
                continue  # s2 silent 01:20-01:40: two windows without rows
            rows.append((sensor, at("00:00") + minute * M + jitter,
                         rng.randrange(-40, 160) / 4, rng.randrange(400) / 4))
    return pl.DataFrame(rows, schema=["sensor_id", "time", "temperature", "humidity"],
                        orient="row")


def line_protocol(frame: pl.DataFrame) -> str:
    rows = frame.select("sensor_id", "time", "temperature", "humidity").iter_rows()
    lines = [f'environmental_sensors,sensor_id={s} temperature={t!r},humidity={h!r},status="ok" '
             f"{ts}" for s, ts, t, h in rows]
    # another measurement at the same times, which the rollup's filter leaves out
    lines += [f"machine_vibration,machine_id=m1 rms=1.0 {ts}" for ts in frame["time"]]
    return "\n".join(lines)


def load(engine: Engine, frame: pl.DataFrame) -> None:
    for bucket in ("raw_telemetry", "aggregated_telemetry"):
        engine.create_bucket(bucket)
    engine.write("raw_telemetry", line_protocol(frame))


def expected_means(frame: pl.DataFrame, stop: int) -> list[tuple[str, str, int, float]]:
    """aggregateWindow(every: 10m, fn: mean, timeSrc: "_start", createEmpty: false) of the
    readings before `stop`, computed by Polars: (sensor, field, window start, mean)."""
    long = (frame.filter(pl.col("time") < stop)
            .unpivot(index=["sensor_id", "time"], variable_name="field", value_name="value")
            .with_columns(pl.col("time").cast(pl.Datetime("ns", "UTC")))
            .sort("sensor_id", "field", "time"))
    means = long.group_by_dynamic("time", every="10m", closed="left", label="left",
                                  group_by=["sensor_id", "field"]).agg(pl.col("value").mean())
    return sorted((s, f, t, v) for s, f, t, v in means.select(
        "sensor_id", "field", pl.col("time").dt.epoch("ns"), "value").iter_rows())


def rolled_up(engine: Engine) -> list[tuple[str, str, int, float]]:
    """The rollup bucket's points as (sensor, field, time, value)."""
    frame = engine.query_frame('from(bucket: "aggregated_telemetry")\n'
                               "  |> range(start: 2023-12-31T00:00:00Z, "
                               "stop: 2024-01-03T00:00:00Z)")
    assert set(frame["_measurement"]) == {"environmental_sensors"}
    return sorted(frame.select("sensor_id", "_field", pl.col("_time").dt.epoch("ns"), "_value")
                  .iter_rows())


def schedule_hourly(engine: Engine, hours: int) -> list[Run]:
    """Tick at each run time (hh:05) for `hours` hours; the runs, all succeeded."""
    runs = []
    for hour in range(1, hours + 1):
        report = engine.tasks.tick(at(f"{hour:02d}:05"))
        assert [(format_time(r.scheduled_for), r.status) for r in report.runs] == [
            (f"{DAY}T{hour:02d}:00:00Z", "success")]
        runs += report.runs
    return runs


def windows(engine: Engine, runs: list[Run]) -> list[str]:
    return [e.message for r in runs for e in engine.tasks.logs(r.task_id, r.id)
            if e.message.startswith("Window ")]


def point_count(engine: Engine, bucket: str) -> tuple[int, int, int]:
    """(lines exported, rows, series) of a bucket."""
    stats = engine.stats(bucket)
    return (sum(1 for _ in engine.export_lines(bucket)), sum(s.points for s in stats),
            sum(s.series for s in stats))


def rollup_task(engine: Engine) -> Task:
    return engine.tasks.create(ROLLUP)


# -- 3. the example rollup against Polars ---------------------------------------------------------
def test_example_rollup_equals_polars_means(open_engine: OpenEngine) -> None:
    engine = open_engine("00:00")
    frame = readings(3)
    load(engine, frame)
    task = rollup_task(engine)
    assert (task.name, format_time(engine.tasks.get(task.id).latest_scheduled)) == (
        "iot_sensor_rollup", f"{DAY}T00:00:00Z")
    runs = schedule_hourly(engine, 3)
    assert windows(engine, runs) == [f"Window {DAY}T0{h}:00:00Z to {DAY}T0{h + 1}:00:00Z"
                                     for h in range(3)]

    expected = expected_means(frame, at("03:00"))
    # 2 sensors x 2 fields x 18 windows, less s2's two silent windows per field
    assert len(expected) == 2 * 2 * 18 - 2 * 2
    assert rolled_up(engine) == expected
    # points are stamped with their window's start: from the first run's window start to the
    # start of the last run's last window
    times = {t for _, _, t, _ in expected}
    assert (format_time(min(times)), format_time(max(times))) == (f"{DAY}T00:00:00Z",
                                                                  f"{DAY}T02:50:00Z")


# -- 4. reruns are idempotent ------------------------------------------------------------------
def test_run_now_and_backfill_over_done_windows_change_no_data(open_engine: OpenEngine) -> None:
    engine = open_engine("00:00")
    frame = readings(3)
    load(engine, frame)
    task = rollup_task(engine)
    schedule_hourly(engine, 3)
    before_export, before_counts = engine.export("aggregated_telemetry"), point_count(
        engine, "aggregated_telemetry")
    assert before_counts == (2 * 18 - 2, 2 * 18 - 2, 2)  # a line per sensor and window

    engine.store.clock.set(at("05:00"))  # type: ignore[attr-defined]
    rerun = engine.tasks.run_now(task.id, at("02:00"))
    assert (rerun.status, format_time(rerun.started_at or 0)) == ("success", f"{DAY}T05:00:00Z")
    assert windows(engine, [rerun]) == [f"Window {DAY}T01:00:00Z to {DAY}T02:00:00Z"]
    assert engine.export("aggregated_telemetry") == before_export
    assert point_count(engine, "aggregated_telemetry") == before_counts

    progress: list[tuple[int, int]] = []
    again = engine.tasks.backfill(task.id, at("00:00"), at("03:00"),
                                  progress=lambda done, total: progress.append((done, total)))
    assert [(format_time(r.scheduled_for), r.status) for r in again] == [
        (f"{DAY}T0{h}:00:00Z", "success") for h in (1, 2, 3)]
    assert progress == [(1, 3), (2, 3), (3, 3)]
    assert engine.export("aggregated_telemetry") == before_export
    assert point_count(engine, "aggregated_telemetry") == before_counts

    engine.compact()  # the rollup now in Parquet: a rerun replaces points there too
    engine.tasks.backfill(task.id, at("00:00"), at("03:00"))
    assert engine.export("aggregated_telemetry") == before_export
    assert point_count(engine, "aggregated_telemetry") == before_counts
    assert rolled_up(engine) == expected_means(frame, at("03:00"))


# -- 10. backfill equals live scheduling ---------------------------------------------------------
def test_backfill_gives_the_buckets_live_scheduling_gives(open_engine: OpenEngine) -> None:
    frame = readings(6)
    live = open_engine("00:00", name="live")
    filled = open_engine("00:00", name="filled")
    for engine in (live, filled):
        load(engine, frame)
    assert live.export("raw_telemetry") == filled.export("raw_telemetry")

    rollup_task(live)
    live_runs = schedule_hourly(live, 6)
    task = rollup_task(filled)
    filled.store.clock.set(at("06:30"))  # type: ignore[attr-defined]
    filled_runs = filled.tasks.backfill(task.id, at("00:00"), at("06:00"))

    assert [r.scheduled_for for r in filled_runs] == [r.scheduled_for for r in live_runs]
    assert {r.status for r in filled_runs} == {"success"}
    assert windows(filled, filled_runs) == windows(live, live_runs)
    assert live.export("aggregated_telemetry") == filled.export("aggregated_telemetry")
    assert point_count(live, "aggregated_telemetry") == point_count(filled,
                                                                    "aggregated_telemetry")
    assert rolled_up(live) == expected_means(frame, at("06:00"))


# -- 11. manual runs and history ---------------------------------------------------------------
def test_queue_run_twice_for_one_time_is_refused(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    engine.create_bucket("raw")
    task = engine.tasks.create('option task = {name: "t", every: 1h}\n'
                               'from(bucket: "raw") |> range(start: -task.every)\n')
    first = engine.tasks.queue_run(task.id, at("04:30"))
    with pytest.raises(TaskError, match=f"run already queued for {task.id}"):
        engine.tasks.queue_run(task.id, at("04:30"))
    other = engine.tasks.queue_run(task.id, at("04:45"))
    assert [r.id for r in engine.tasks.runs(task.id, status="scheduled")] == [first.id, other.id]
    now_run = engine.tasks.queue_run(task.id)  # default: now, truncated to the second
    assert (format_time(now_run.scheduled_for), format_time(now_run.requested_at or 0)) == (
        f"{DAY}T00:30:00Z", f"{DAY}T00:30:00Z")

    report = engine.tasks.tick(at("00:30"))
    assert [r.id for r in report.runs] == [now_run.id]
    report = engine.tasks.tick(at("04:45"))
    manual = [r for r in report.runs if r.requested_at is not None]
    assert [(r.id, r.status) for r in manual] == [(first.id, "success"), (other.id, "success")]
    assert engine.tasks.runs(task.id, status="scheduled") == []
    again = engine.tasks.queue_run(task.id, at("04:30"))  # the first has run: queue it again
    assert again.status == "scheduled"


def test_run_history_is_pruned_for_manual_runs_and_backfill(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", history_limit=2)
    engine.create_bucket("raw")
    task = engine.tasks.create('option task = {name: "t", every: 1h}\n'
                               'from(bucket: "raw") |> range(start: -task.every)\n')
    engine.store.clock.set(at("09:00"))  # type: ignore[attr-defined]
    done = engine.tasks.backfill(task.id, at("00:00"), at("04:00"))
    assert len(done) == 4
    kept = engine.tasks.runs(task.id)
    assert [format_time(r.scheduled_for) for r in kept] == [f"{DAY}T04:00:00Z",
                                                            f"{DAY}T03:00:00Z"]
    assert {e.run_id for e in engine.tasks.logs(task.id)} == {r.id for r in kept}
    engine.tasks.run_now(task.id, at("07:00"))
    assert [format_time(r.scheduled_for) for r in engine.tasks.runs(task.id)] == [
        f"{DAY}T07:00:00Z", f"{DAY}T04:00:00Z"]


def test_a_canceled_queued_run_is_skipped_and_a_requested_retry_runs_at_once(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", retry_attempts=1)
    task = engine.tasks.create('option task = {name: "t", every: 1h}\n'
                               'from(bucket: "missing") |> range(start: -task.every)\n')
    queued = engine.tasks.queue_run(task.id, at("00:10"))
    engine.tasks.records.update_run(task.id, queued.id, status="canceled", now=at("00:30"))
    assert engine.tasks.tick(at("00:40")).runs == []
    failed = engine.tasks.run_now(task.id, at("00:20"))
    assert failed.status == "failed"
    retry = engine.tasks.retry(task.id, failed.id)  # attempt 2, asked for: no backoff
    engine.store.clock.set(at("00:41"))  # type: ignore[attr-defined]
    assert [r.id for r in engine.tasks.tick(at("00:41")).runs] == [retry.id]
