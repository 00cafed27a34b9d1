"""`make demo`: the example pipeline end to end. A day of sensor telemetry is written into
`raw_telemetry`; two tasks roll it up (10-minute means into `aggregated_telemetry`, their hourly
means into `hourly_rollups`); the scheduler is driven through the day an hour at a time; and
what the tasks wrote is checked against the same means computed directly in Polars."""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from storage import FixedClock, StorageError, format_time
from storage.timeutil import SECOND
from tsengine.bench.generate import TelemetrySpec, telemetry_line_protocol
from tsengine.engine import Engine
from tsengine.flux.values import format_duration
from tsengine.tasks.model import Task

MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR
TEN_MINUTES = 10 * MINUTE
EVERY = 10 * SECOND
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PIPELINE = ("iot_sensor_rollup.flux", "hourly_rollup.flux")
KEYS = ("_measurement", "_field", "location", "region", "sensor_id")
TOLERANCE = 1e-9
SHOWN_SENSOR, SHOWN_FIELD, SHOWN_HOURS = "sensor-00000", "temperature", 3


@dataclass(frozen=True)
class TaskRuns:
    """One task's runs after the day: how many, how many succeeded, the scheduled span."""

    name: str
    runs: int
    succeeded: int
    first: int | None
    last: int | None


@dataclass(frozen=True)
class Check:
    """The tasks' output against the direct Polars computation."""

    ten_minute: int          # 10-minute means the task wrote
    hourly: int              # hourly means the task wrote
    expected_ten_minute: int
    expected_hourly: int
    max_difference: float    # largest |task - Polars| over both stages (inf: rows unmatched)
    max_raw_difference: float  # largest |hourly mean - mean of the hour's raw points|

    @property
    def ok(self) -> bool:
        return (self.ten_minute == self.expected_ten_minute
                and self.hourly == self.expected_hourly
                and self.max_difference <= TOLERANCE and self.max_raw_difference <= TOLERANCE)


@dataclass(frozen=True)
class DemoResult:
    """What the demo did, for its exit status and for tests."""

    day: int
    points: int
    tasks: tuple[TaskRuns, ...]
    check: Check

    @property
    def ok(self) -> bool:
        return self.check.ok and all(t.runs == t.succeeded for t in self.tasks)


def last_complete_day(now: int) -> int:
    """Midnight UTC starting the last whole day before `now`: recent enough for a 7-day bucket."""
    return (now // DAY - 1) * DAY


def run(data_dir: str, sensors: int = 50, day: int | None = None) -> DemoResult:
    """Run the pipeline over one day (default: the last complete UTC day) and check it.
    The engine's clock is fixed and moved by hand: the tasks are created at the day's start
    (a task first runs at its next schedule) and the scheduler ticks through the day."""
    if sensors < 1:
        raise ValueError("the demo needs at least one sensor")
    day = last_complete_day(time.time_ns()) if day is None else day
    clock = FixedClock(day)
    with Engine.open(data_dir, clock=clock) as engine:
        print(f"data directory: {data_dir}")
        print(f"the day: {format_time(day)} .. {format_time(day + DAY)} "
              "(the last complete UTC day: raw_telemetry keeps 7 days)")
        _create_buckets(engine)
        points = _write_day(engine, sensors, day)
        tasks = _create_tasks(engine)
        print()
        _run_the_day(engine, clock, day)
        print()
        runs = _report_runs(engine, tasks)
        print()
        _show_values(engine, day)
        print()
        check = _check(engine, day)
        print()
        _show_buckets(engine)
    return DemoResult(day, points, runs, check)


# -- the steps ---------------------------------------------------------------------------------
def _create_buckets(engine: Engine) -> None:
    engine.create_bucket("raw_telemetry", retention="7d", description="raw sensor telemetry")
    engine.create_bucket("aggregated_telemetry", description="10-minute means")
    engine.create_bucket("hourly_rollups", description="hourly means of the 10-minute means")
    print("buckets: raw_telemetry (retention 7d), aggregated_telemetry, hourly_rollups")


def _write_day(engine: Engine, sensors: int, day: int) -> int:
    spec = TelemetrySpec(sensors=sensors, start=day, interval=EVERY, intervals=DAY // EVERY)
    print(f"writing {spec.points:,} points into raw_telemetry ({sensors} sensors, every 10 s "
          "for the day) ...")
    started = time.perf_counter()
    written = 0
    for chunk in telemetry_line_protocol(spec, chunk_intervals=2000):
        result = engine.write("raw_telemetry", chunk)
        written += result.written
        if result.dropped:
            print(f"  {len(result.dropped):,} points dropped: {result.dropped[0]}")
    compacted = engine.compact()
    print(f"wrote {written:,} points and compacted them into {compacted.files_written} Parquet "
          f"file(s) in {time.perf_counter() - started:.1f} s")
    return written


def _create_tasks(engine: Engine) -> list[Task]:
    tasks = []
    for name in PIPELINE:
        task = engine.tasks.create((EXAMPLES / name).read_text(),
                                   description=f"examples/{name}")
        tasks.append(task)
        when = f"every {format_duration(task.every)}" if task.every else f"cron {task.cron}"
        print(f"task {task.name} (examples/{name}): {when}, offset "
              f"{format_duration(task.offset)}, created at {format_time(task.created_at)}")
    return tasks


def _run_the_day(engine: Engine, clock: FixedClock, day: int) -> None:
    """An hour at a time, each tick 10 minutes past the hour: both stages are due by then."""
    print("the scheduler, ticked hour by hour through the day:")
    names = {t.id: t.name for t in engine.tasks.find(limit=500)}
    started = time.perf_counter()
    for hour in range(1, 25):
        now = day + hour * HOUR + TEN_MINUTES
        clock.set(now)
        report = engine.tasks.tick(now)
        ok = sum(r.status == "success" for r in report.runs)
        line = (f"  tick {format_time(now)}: {len(report.runs)} runs, {ok} succeeded, "
                f"{len(report.runs) - ok} failed")
        print(line + (f", {len(report.waiting)} waiting" if report.waiting else ""))
        for r in report.runs:
            if r.status != "success":
                print(f"    {names.get(r.task_id, r.task_id)} {format_time(r.scheduled_for)}: "
                      f"{(r.error or r.status).splitlines()[0]}")
    print(f"  (24 ticks in {time.perf_counter() - started:.1f} s)")


def _report_runs(engine: Engine, tasks: list[Task]) -> tuple[TaskRuns, ...]:
    print("runs:")
    out = []
    for task in tasks:
        runs = engine.tasks.runs(task.id, limit=500)
        times = sorted(r.scheduled_for for r in runs)
        succeeded = sum(r.status == "success" for r in runs)
        found = TaskRuns(task.name, len(runs), succeeded, times[0] if times else None,
                         times[-1] if times else None)
        out.append(found)
        span = f"scheduledFor {format_time(times[0])} .. {format_time(times[-1])}" if times \
            else "none"
        status = "all success" if runs and succeeded == len(runs) else \
            f"{len(runs) - succeeded} not successful"
        print(f"  {task.name}: {len(runs)} runs, {span}, {status}")
    return tuple(out)


def _show_values(engine: Engine, day: int) -> None:
    """The first hours of one sensor's temperature: the 10-minute means, their hourly mean,
    and the same hour straight from the raw points by a Flux query (pushed into storage)."""
    stop = day + SHOWN_HOURS * HOUR
    one = (f'  |> filter(fn: (r) => r.sensor_id == "{SHOWN_SENSOR}" and '
           f'r._field == "{SHOWN_FIELD}")\n')
    ten = _values(engine, "aggregated_telemetry", day, stop, one)
    hourly = _values(engine, "hourly_rollups", day, stop, one)
    direct = (f'from(bucket: "raw_telemetry")\n  |> range(start: {format_time(day)}, '
              f"stop: {format_time(stop)})\n{one}"
              '  |> aggregateWindow(every: 1h, fn: mean, timeSrc: "_start")')
    raw = _frame(engine, direct)
    print(f"{SHOWN_SENSOR} {SHOWN_FIELD}, the first {SHOWN_HOURS} hours:")
    print(f"  {'hour':<21} {'10-minute means (aggregated_telemetry)':<44} "
          f"{'hourly_rollups':>14} {'raw, by Flux':>12}")
    for h in range(SHOWN_HOURS):
        at = day + h * HOUR
        tens = " ".join(f"{v:.2f}" for v in ten.filter(pl.col("t") // HOUR * HOUR == at)["v"])
        print(f"  {format_time(at):<21} {tens:<44} {_at(hourly, at):>14.4f} {_at(raw, at):>12.4f}")
    print("the Flux query of the last column, and its plan (the mean computed in the storage "
          "read):")
    print("\n".join(f"  {line}" for line in direct.splitlines()))
    print("\n".join(f"  {line}" for line in engine.explain(direct).splitlines()))


def _check(engine: Engine, day: int) -> Check:
    """Both stages recomputed from the raw points in Polars, independently of the tasks."""
    raw = _frame(engine, f'from(bucket: "raw_telemetry")\n  |> range(start: {format_time(day)}, '
                         f'stop: {format_time(day + DAY)})\n'
                         '  |> filter(fn: (r) => r._field != "status")\n  |> toFloat()')
    ten = raw.group_by(*KEYS, t=pl.col("t") // TEN_MINUTES * TEN_MINUTES).agg(pl.col("v").mean())
    hourly = ten.group_by(*KEYS, t=pl.col("t") // HOUR * HOUR).agg(pl.col("v").mean())
    raw_hourly = raw.group_by(*KEYS, t=pl.col("t") // HOUR * HOUR).agg(pl.col("v").mean())
    got_ten = _frame(engine, _read("aggregated_telemetry", day, day + DAY))
    got_hourly = _frame(engine, _read("hourly_rollups", day, day + DAY))
    diff = max(_difference(got_ten, ten), _difference(got_hourly, hourly))
    raw_diff = _difference(got_hourly, raw_hourly)
    check = Check(got_ten.height, got_hourly.height, ten.height, hourly.height, diff, raw_diff)
    if check.ok:
        print(f"checked: {check.ten_minute:,} ten-minute means and {check.hourly:,} hourly means "
              f"equal the direct Polars computation (largest difference {diff:.1e})")
        print(f"  and each hourly mean equals the mean of its hour's raw points (largest "
              f"difference {raw_diff:.1e})")
    else:
        print(f"CHECK FAILED: the tasks wrote {check.ten_minute:,} ten-minute and "
              f"{check.hourly:,} hourly means, Polars computes {check.expected_ten_minute:,} and "
              f"{check.expected_hourly:,}; largest difference {diff:.1e}, against the raw "
              f"hourly means {raw_diff:.1e} (tolerance {TOLERANCE:.0e})")
    return check


def _show_buckets(engine: Engine) -> None:
    print("the buckets:")
    for bucket in ("raw_telemetry", "aggregated_telemetry", "hourly_rollups"):
        for s in engine.stats(bucket):
            span = f", {format_time(s.first)} .. {format_time(s.last)}" if s.first is not None \
                else ""
            print(f"  {bucket}: {s.name}, {s.series} series, {s.points:,} points{span}")


# -- reading -----------------------------------------------------------------------------------
def _read(bucket: str, start: int, stop: int, extra: str = "") -> str:
    return (f'from(bucket: "{bucket}")\n  |> range(start: {format_time(start)}, '
            f"stop: {format_time(stop)})\n{extra}")


def _values(engine: Engine, bucket: str, start: int, stop: int, extra: str) -> pl.DataFrame:
    return _frame(engine, _read(bucket, start, stop, extra)).sort("t")


def _frame(engine: Engine, flux: str) -> pl.DataFrame:
    """A query's rows as (series keys, t: int ns, v: float)."""
    frame = engine.query_frame(flux)
    if frame.is_empty():
        return pl.DataFrame(schema={**{k: pl.String for k in KEYS}, "t": pl.Int64,
                                    "v": pl.Float64})
    return frame.select(*KEYS, t=pl.col("_time").dt.epoch("ns"),
                        v=pl.col("_value").cast(pl.Float64))


def _at(frame: pl.DataFrame, at: int) -> float:
    values = frame.filter(pl.col("t") == at)["v"]
    return values[0] if len(values) else float("nan")


def _difference(got: pl.DataFrame, expected: pl.DataFrame) -> float:
    """The largest |got - expected| over rows matched by series and time (inf if any row of
    either has no match)."""
    joined = got.join(expected, on=[*KEYS, "t"], how="full", coalesce=True, suffix="_expected")
    if joined["v"].null_count() or joined["v_expected"].null_count():
        return float("inf")
    if joined.is_empty():
        return 0.0
    return float((joined["v"] - joined["v_expected"]).abs().max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default=".demo-data")
    parser.add_argument("--sensors", type=int, default=50)
    args = parser.parse_args()
    if args.sensors < 1:
        parser.error("--sensors must be at least 1")
    try:
        result = run(args.data_dir, args.sensors)
    except StorageError as e:  # e.g. a second run into the same directory: the bucket exists
        sys.exit(f"Error: {e} (remove {args.data_dir} or pick another --data-dir)")
    if not result.ok:
        sys.exit("Error: the demo's pipeline did not produce what the direct computation does")


if __name__ == "__main__":
    main()
