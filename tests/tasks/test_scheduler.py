"""The scheduler end to end: ticks with an explicit `now` simulate time, so every window, retry,
catch-up, limit and chain is checked on exact times and values, without waiting."""

from __future__ import annotations

import threading
import time
from collections import Counter

import pytest
from task_helpers import DAY, OpenEngine, at

from storage import FixedClock, format_time
from tsengine import Engine
from tsengine.tasks.executor import Stamp, TaskExecutor
from tsengine.tasks.model import Run, Task
from tsengine.tasks.scheduler import Scheduler

S = 1_000_000_000
M = 60 * S
H = 60 * M




def fmt(ns: int | None) -> str | None:
    return None if ns is None else format_time(ns)




@pytest.fixture
def open_engine(engines: OpenEngine) -> OpenEngine:
    """Engines whose tasks are created at 00:30 unless told otherwise."""

    def make(created: str = "00:30", **kwargs: object) -> Engine:
        return engines(created, **kwargs)
    return make


def set_clock(engine: Engine, clock_time: str, day: str = DAY) -> None:
    clock = engine.store.clock
    assert isinstance(clock, FixedClock)
    clock.set(at(clock_time, day))


def script(name: str, schedule: str, body: str) -> str:
    return f'option task = {{name: "{name}", {schedule}}}\n{body}\n'


HOURLY = 'from(bucket: "raw") |> range(start: -task.every)'
PASS = ('from(bucket: "raw") |> range(start: v.timeRangeStart, stop: v.timeRangeStop)\n'
        '  |> to(bucket: "{out}")')


def point_times(engine: Engine, bucket: str) -> list[str]:
    """The times of a bucket's points, in order, as RFC3339."""
    return sorted(format_time(int(line.rsplit(" ", 1)[1])) for line in engine.export_lines(bucket))


def window_logs(engine: Engine, runs: list[Run]) -> list[str]:
    """Each run's "Window ..." log line, in the order of `runs`."""
    out = []
    for run in runs:
        lines = [e.message for e in engine.tasks.logs(run.task_id, run.id)
                 if e.message.startswith("Window ")]
        assert len(lines) == 1
        out.append(lines[0])
    return out


def summary(runs: list[Run]) -> list[tuple[str | None, str, int]]:
    return [(fmt(r.scheduled_for), r.status, r.attempt) for r in runs]


def write_minutes(engine: Engine, bucket: str, first: str, count: int, step: int = M,
                  day: str = DAY) -> None:
    """`count` points of one series, `step` apart from `first`, valued 0, 1, 2..."""
    start = at(first, day)
    engine.write(bucket, "\n".join(f"m,s=a v={i}.0 {start + i * step}" for i in range(count)))


# -- 1. windows of every/offset tasks ----------------------------------------------------------
def test_every_offset_run_fires_at_offset_with_the_window_before_scheduled_for(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    for bucket in ("raw", "out"):
        engine.create_bucket(bucket)
    engine.write("raw", "\n".join(f"m,s=a v={i}.0 {t}" for i, t in enumerate([
        at("23:59:59", "2023-12-31"), at("00:00"), at("00:30"), at("00:59:59"), at("01:00")])))
    task = engine.tasks.create(script("w", "every: 1h, offset: 5m", PASS.format(out="out")))

    assert engine.tasks.tick(at("01:04")).runs == []
    assert engine.tasks.runs(task.id) == []

    report = engine.tasks.tick(at("01:05"))
    assert len(report.runs) == 1
    run = report.runs[0]
    assert (run.status, fmt(run.scheduled_for), fmt(run.started_at), fmt(run.finished_at)) == (
        "success", "2024-01-01T01:00:00Z", "2024-01-01T01:05:00Z", "2024-01-01T01:05:00Z")
    assert [(fmt(e.time), e.message) for e in engine.tasks.logs(task.id, run.id)][1:] == [
        ("2024-01-01T01:05:00Z", "Window 2024-01-01T00:00:00Z to 2024-01-01T01:00:00Z"),
        ("2024-01-01T01:05:00Z", "Read 3 points, wrote 3 points"),
        ("2024-01-01T01:05:00Z", "Completed(success)")]
    assert point_times(engine, "out") == [
        "2024-01-01T00:00:00Z", "2024-01-01T00:30:00Z", "2024-01-01T00:59:59Z"]
    done = engine.tasks.get(task.id)
    assert (fmt(done.latest_scheduled), fmt(done.latest_completed), done.last_run_status,
            done.last_run_error) == ("2024-01-01T01:00:00Z", "2024-01-01T01:00:00Z",
                                     "success", None)
    assert engine.tasks.tick(at("02:04")).runs == []  # nothing twice, nothing early


def test_v_time_range_and_task_every_give_the_same_rows_and_own_option_v_wins(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    for bucket in ("raw", "by_v", "by_every", "own_v"):
        engine.create_bucket(bucket)
    write_minutes(engine, "raw", "23:50", 80, day="2023-12-31")  # 23:50 .. 01:09
    engine.tasks.create(script("by_v", "every: 1h, offset: 5m", PASS.format(out="by_v")))
    engine.tasks.create(script("by_every", "every: 1h, offset: 5m",
                               'from(bucket: "raw") |> range(start: -task.every)\n'
                               '  |> to(bucket: "by_every")'))
    engine.tasks.create(
        'option v = {timeRangeStart: 2024-01-01T00:30:00Z, timeRangeStop: 2024-01-01T00:40:00Z}\n'
        + script("own_v", "every: 1h, offset: 5m", PASS.format(out="own_v")))

    report = engine.tasks.tick(at("01:05"))
    assert sorted(r.status for r in report.runs) == ["success"] * 3
    assert engine.export("by_v") == engine.export("by_every")
    times = point_times(engine, "by_v")
    assert (len(times), times[0], times[-1]) == (60, "2024-01-01T00:00:00Z",
                                                 "2024-01-01T00:59:00Z")
    own = point_times(engine, "own_v")
    assert (len(own), own[0], own[-1]) == (10, "2024-01-01T00:30:00Z", "2024-01-01T00:39:00Z")


def test_negative_offset_runs_early_with_the_same_window(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    engine.create_bucket("raw")
    engine.tasks.create(script("early", "every: 1h, offset: -5m", HOURLY))
    assert engine.tasks.tick(at("00:54:59")).runs == []
    report = engine.tasks.tick(at("00:55"))
    assert [(fmt(r.scheduled_for), fmt(r.started_at)) for r in report.runs] == [
        ("2024-01-01T01:00:00Z", "2024-01-01T00:55:00Z")]
    assert window_logs(engine, report.runs) == [
        "Window 2024-01-01T00:00:00Z to 2024-01-01T01:00:00Z"]


# -- 2. cron windows -----------------------------------------------------------------------------
def test_cron_windows_run_from_the_previous_tick(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    for bucket in ("raw", "out"):
        engine.create_bucket(bucket)
    write_minutes(engine, "raw", "00:25", 40)  # 00:25 .. 01:04
    engine.tasks.create(script("q", 'cron: "*/15 * * * *"', PASS.format(out="out")))

    report = engine.tasks.tick(at("01:00"))
    assert summary(report.runs) == [("2024-01-01T00:45:00Z", "success", 1),
                                    ("2024-01-01T01:00:00Z", "success", 1)]
    assert window_logs(engine, report.runs) == [
        "Window 2024-01-01T00:30:00Z to 2024-01-01T00:45:00Z",
        "Window 2024-01-01T00:45:00Z to 2024-01-01T01:00:00Z"]
    times = point_times(engine, "out")
    assert (len(times), times[0], times[-1]) == (30, "2024-01-01T00:30:00Z",
                                                 "2024-01-01T00:59:00Z")


def test_weekday_cron_skips_weekends(open_engine: OpenEngine) -> None:
    engine = open_engine("08:00", day="2024-01-05")  # a Friday
    engine.create_bucket("raw")
    engine.tasks.create(script("weekdays", 'cron: "0 9 * * 1-5"',
                               'from(bucket: "raw") |> range(start: v.timeRangeStart)'))
    report = engine.tasks.tick(at("10:00", "2024-01-09"))  # the Tuesday after
    assert summary(report.runs) == [("2024-01-05T09:00:00Z", "success", 1),
                                    ("2024-01-08T09:00:00Z", "success", 1),
                                    ("2024-01-09T09:00:00Z", "success", 1)]
    assert window_logs(engine, report.runs) == [
        "Window 2024-01-04T09:00:00Z to 2024-01-05T09:00:00Z",
        "Window 2024-01-05T09:00:00Z to 2024-01-08T09:00:00Z",  # Friday to Monday
        "Window 2024-01-08T09:00:00Z to 2024-01-09T09:00:00Z"]


# -- 5. late data within the offset --------------------------------------------------------------
def test_late_point_written_within_the_offset_is_in_the_run(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    for bucket in ("raw", "out"):
        engine.create_bucket(bucket)
    engine.write("raw", f"m,s=a v=1.0 {at('00:10')}")
    engine.tasks.create(script("late", "every: 1h, offset: 5m", PASS.format(out="out")))

    set_clock(engine, "01:03")
    assert engine.tasks.tick(at("01:03")).runs == []
    engine.write("raw", f"m,s=a v=2.0 {at('00:59')}")  # late, but before the run fires
    set_clock(engine, "01:05")
    assert summary(engine.tasks.tick(at("01:05")).runs) == [
        ("2024-01-01T01:00:00Z", "success", 1)]
    assert engine.export("out") == (f"m,s=a v=1.0 {at('00:10')}\n"
                                    f"m,s=a v=2.0 {at('00:59')}\n")

    engine.write("raw", f"m,s=a v=3.0 {at('00:59:30')}")  # too late: the run is done
    assert engine.tasks.tick(at("01:30")).runs == []
    assert point_times(engine, "out") == ["2024-01-01T00:10:00Z", "2024-01-01T00:59:00Z"]


# -- 6. catch-up ------------------------------------------------------------------------------


def test_one_tick_after_a_gap_runs_every_missed_schedule_in_order(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    engine.create_bucket("raw")
    task = engine.tasks.create(script("hourly", "every: 1h", HOURLY))
    report = engine.tasks.tick(at("10:00"))
    hours = [f"{h:02d}" for h in range(1, 11)]
    assert summary(report.runs) == [(f"2024-01-01T{h}:00:00Z", "success", 1) for h in hours]
    assert [fmt(r.started_at) for r in report.runs] == [f"2024-01-01T{h}:00:00Z"
                                                        for h in hours]
    assert window_logs(engine, report.runs)[:2] == [
        "Window 2024-01-01T00:00:00Z to 2024-01-01T01:00:00Z",
        "Window 2024-01-01T01:00:00Z to 2024-01-01T02:00:00Z"]
    assert window_logs(engine, report.runs)[-1] == (
        "Window 2024-01-01T09:00:00Z to 2024-01-01T10:00:00Z")
    assert report.skipped == {}
    assert fmt(engine.tasks.get(task.id).latest_completed) == "2024-01-01T10:00:00Z"


def test_catch_up_limit_runs_only_the_newest_and_logs_what_it_skipped(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", catch_up_limit=3)
    engine.create_bucket("raw")
    task = engine.tasks.create(script("hourly", "every: 1h", HOURLY))
    report = engine.tasks.tick(at("10:00"))
    assert summary(report.runs) == [("2024-01-01T08:00:00Z", "success", 1),
                                    ("2024-01-01T09:00:00Z", "success", 1),
                                    ("2024-01-01T10:00:00Z", "success", 1)]
    assert report.skipped == {task.id: 7}
    first, *rest = report.runs
    assert [e.message for e in engine.tasks.logs(task.id, first.id)][0] == (
        "Catch-up limit of 3 runs reached: skipped 7 scheduled runs from "
        "2024-01-01T01:00:00Z to 2024-01-01T07:00:00Z")
    for run in rest:
        assert not any("Catch-up" in e.message for e in engine.tasks.logs(task.id, run.id))
    assert len(engine.tasks.runs(task.id)) == 3


def test_start_without_catch_up_skips_the_missed_schedules(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", catch_up=False)
    engine.create_bucket("raw")
    task = engine.tasks.create(script("hourly", "every: 1h", HOURLY))
    engine.tasks.scheduler.start(at("10:20"))
    assert fmt(engine.tasks.get(task.id).latest_scheduled) == "2024-01-01T10:20:00Z"
    assert engine.tasks.tick(at("10:59")).runs == []
    assert summary(engine.tasks.tick(at("11:00")).runs) == [
        ("2024-01-01T11:00:00Z", "success", 1)]
    assert len(engine.tasks.runs(task.id)) == 1


def test_start_with_catch_up_keeps_the_missed_schedules(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    engine.create_bucket("raw")
    engine.tasks.create(script("hourly", "every: 1h", HOURLY))
    engine.tasks.scheduler.start(at("03:20"))
    assert len(engine.tasks.tick(at("03:20")).runs) == 3


# -- 7. retries --------------------------------------------------------------------------------
MISSING = 'from(bucket: "missing") |> range(start: -task.every) |> to(bucket: "out")'


def test_failing_run_is_retried_with_doubling_backoff_then_failed(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", retry_attempts=3, retry_backoff=30 * S)
    engine.create_bucket("out")
    task = engine.tasks.create(script("broken", "every: 1h, offset: 5m", MISSING))
    report = engine.tasks.tick(at("01:07"))
    assert summary(report.runs) == [("2024-01-01T01:00:00Z", "failed", 1),
                                    ("2024-01-01T01:00:00Z", "failed", 2),
                                    ("2024-01-01T01:00:00Z", "failed", 3)]
    assert [fmt(r.started_at) for r in report.runs] == [
        "2024-01-01T01:05:00Z", "2024-01-01T01:05:30Z", "2024-01-01T01:06:30Z"]
    for run in report.runs:
        assert run.error is not None and 'could not find bucket "missing"' in run.error
    first_logs = [e.message for e in engine.tasks.logs(task.id, report.runs[0].id)]
    assert first_logs[-1] == "Retrying: attempt 2 of 3 in 30s"
    second_logs = [e.message for e in engine.tasks.logs(task.id, report.runs[1].id)]
    assert "Attempt 2" in second_logs and second_logs[-1] == "Retrying: attempt 3 of 3 in 60s"
    assert not any(e.message.startswith("Retrying")
                   for e in engine.tasks.logs(task.id, report.runs[2].id))
    done = engine.tasks.get(task.id)
    assert done.last_run_status == "failed"
    assert done.last_run_error is not None and '"missing"' in done.last_run_error
    assert engine.tasks.runs(task.id, status="scheduled") == []
    assert engine.tasks.tick(at("01:59")).runs == []  # no fourth try


def test_retry_waits_for_a_later_tick_when_now_is_before_the_backoff(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", retry_attempts=3, retry_backoff=30 * S)
    engine.create_bucket("out")
    task = engine.tasks.create(script("broken", "every: 1h, offset: 5m", MISSING))
    assert summary(engine.tasks.tick(at("01:05:10")).runs) == [
        ("2024-01-01T01:00:00Z", "failed", 1)]
    queued = engine.tasks.runs(task.id, status="scheduled")
    assert [(fmt(r.scheduled_for), r.attempt) for r in queued] == [("2024-01-01T01:00:00Z", 2)]
    assert engine.tasks.tick(at("01:05:29")).runs == []
    report = engine.tasks.tick(at("01:05:30"))
    assert summary(report.runs) == [("2024-01-01T01:00:00Z", "failed", 2)]
    assert fmt(report.runs[0].started_at) == "2024-01-01T01:05:30Z"
    assert engine.tasks.tick(at("01:06:29")).runs == []
    assert summary(engine.tasks.tick(at("01:06:30")).runs) == [
        ("2024-01-01T01:00:00Z", "failed", 3)]


def test_retry_option_overrides_the_instance_setting(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", retry_attempts=2, retry_backoff=30 * S)
    engine.create_bucket("out")
    once = engine.tasks.create(script("once", "every: 1h, offset: 5m, retry: 1", MISSING))
    default = engine.tasks.create(script("default", "every: 1h, offset: 5m", MISSING))
    thrice = engine.tasks.create(script("thrice", "every: 1h, offset: 5m, retry: 3", MISSING))
    report = engine.tasks.tick(at("01:30"))
    attempts = Counter(r.task_id for r in report.runs)
    assert attempts == {once.id: 1, default.id: 2, thrice.id: 3}
    for task in (once, default, thrice):
        assert engine.tasks.runs(task.id, status="scheduled") == []
    assert engine.tasks.get(once.id).last_run_status == "failed"


def test_run_succeeds_on_a_retry_once_the_bucket_exists(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", retry_attempts=3, retry_backoff=30 * S)
    engine.create_bucket("out")
    task = engine.tasks.create(script("broken", "every: 1h, offset: 5m", MISSING))
    assert summary(engine.tasks.tick(at("01:05:10")).runs) == [
        ("2024-01-01T01:00:00Z", "failed", 1)]
    assert engine.tasks.get(task.id).last_run_status == "failed"
    engine.create_bucket("missing")
    engine.write("missing", f"m,s=a v=7.0 {at('00:20')}")
    assert summary(engine.tasks.tick(at("01:10")).runs) == [
        ("2024-01-01T01:00:00Z", "success", 2)]
    done = engine.tasks.get(task.id)
    assert (done.last_run_status, done.last_run_error) == ("success", None)
    assert engine.export("out") == f"m,s=a v=7.0 {at('00:20')}\n"
    assert engine.tasks.runs(task.id, status="scheduled") == []


# -- 8. concurrency limits -----------------------------------------------------------------------
class RecordingExecutor(TaskExecutor):
    """Records each run's start and end (and how many ran at once), holding each run a while."""

    def __init__(self, *args: object, hold: float = 0.0) -> None:
        super().__init__(*args)  # type: ignore[arg-type]
        self.hold = hold
        self.lock = threading.Lock()
        self.events: list[tuple[str, str, str]] = []  # (start|end, task name, scheduledFor)
        self.running: Counter[str] = Counter()
        self.most = 0
        self.most_per_task: Counter[str] = Counter()

    def execute(self, task: Task, run: Run, stamp: Stamp) -> Run:
        with self.lock:
            self.running[task.name] += 1
            self.most = max(self.most, sum(self.running.values()))
            self.most_per_task[task.name] = max(self.most_per_task[task.name],
                                                self.running[task.name])
            self.events.append(("start", task.name, format_time(run.scheduled_for)))
        try:
            if self.hold:
                time.sleep(self.hold)
            done = super().execute(task, run, stamp)
        finally:
            with self.lock:
                self.running[task.name] -= 1
        with self.lock:
            self.events.append(("end", task.name, format_time(run.scheduled_for)))
        return done

    def starts(self, name: str) -> list[str]:
        return [sf for kind, n, sf in self.events if kind == "start" and n == name]


def recording_scheduler(engine: Engine, hold: float = 0.0) -> tuple[Scheduler, RecordingExecutor]:
    service = engine.tasks
    executor = RecordingExecutor(engine.store, service.records, hold=hold)
    return Scheduler(service.records, executor, service.settings, service.clock), executor


def test_concurrency_limits_hold(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", max_concurrent_runs=2)
    engine.create_bucket("raw")
    engine.tasks.create(script("one", "every: 1h, concurrency: 1", HOURLY))
    engine.tasks.create(script("two", "every: 1h, concurrency: 2", HOURLY))
    engine.tasks.create(script("two_b", "every: 1h, concurrency: 2", HOURLY))
    scheduler, executor = recording_scheduler(engine, hold=0.05)
    report = scheduler.tick(at("04:00"), simulate=True)
    assert len(report.runs) == 12 and {r.status for r in report.runs} == {"success"}
    assert executor.most == 2
    assert executor.most_per_task["one"] == 1
    assert max(executor.most_per_task.values()) <= 2
    hours = [f"2024-01-01T0{h}:00:00Z" for h in range(1, 5)]
    for name in ("one", "two", "two_b"):
        assert executor.starts(name) == hours


def test_a_task_with_concurrency_two_runs_two_at_once(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", max_concurrent_runs=4)
    engine.create_bucket("raw")
    engine.tasks.create(script("two", "every: 1h, concurrency: 2", HOURLY))
    engine.tasks.create(script("one", "every: 1h", HOURLY))  # the instance default: 1
    scheduler, executor = recording_scheduler(engine, hold=0.05)
    report = scheduler.tick(at("04:00"), simulate=True)
    assert len(report.runs) == 8
    assert (executor.most_per_task["two"], executor.most_per_task["one"]) == (2, 1)
    assert executor.most <= 3
    assert executor.starts("two") == [f"2024-01-01T0{h}:00:00Z" for h in range(1, 5)]


# -- 9. chains -------------------------------------------------------------------------------
UPSTREAM = ('from(bucket: "raw") |> range(start: -task.every) |> sum()\n'
            '  |> duplicate(column: "_start", as: "_time") |> to(bucket: "x")')
DOWNSTREAM = 'from(bucket: "x") |> range(start: -task.every) |> to(bucket: "y")'


def chain(engine: Engine, upstream_schedule: str = "every: 1h, offset: 10m"
          ) -> tuple[Task, Task]:
    for bucket in ("x", "y"):
        engine.create_bucket(bucket)
    a = engine.tasks.create(script("A", upstream_schedule, UPSTREAM))
    b = engine.tasks.create(script("B", "every: 1h, offset: 5m", DOWNSTREAM))
    return a, b


def test_downstream_run_waits_for_the_upstream_run_of_its_window(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    engine.create_bucket("raw")
    write_minutes(engine, "raw", "00:00", 180)  # values 0..179, one a minute
    a, b = chain(engine)
    scheduler, executor = recording_scheduler(engine)
    report = scheduler.tick(at("02:10"), simulate=True)
    assert {r.status for r in report.runs} == {"success"} and len(report.runs) == 4
    events = executor.events
    for hour in ("01", "02"):
        sf = f"2024-01-01T{hour}:00:00Z"
        assert events.index(("start", "B", sf)) > events.index(("end", "A", sf))
    finished = [(r.task_id, fmt(r.scheduled_for)) for r in report.runs]
    assert finished.index((a.id, "2024-01-01T02:00:00Z")) < finished.index(
        (b.id, "2024-01-01T02:00:00Z"))
    # the simulated record agrees: B, due at 02:05, started when A finished at 02:10
    stamps = {(r.task_id, fmt(r.scheduled_for)): (fmt(r.started_at), fmt(r.finished_at))
              for r in report.runs}
    for hour in ("01", "02"):
        sf = f"2024-01-01T{hour}:00:00Z"
        assert stamps[a.id, sf] == stamps[b.id, sf] == (f"2024-01-01T{hour}:10:00Z",) * 2
    # B copied A's sums of both windows: it never read X before A wrote them
    assert engine.export("y") == (f"m,s=a v={float(sum(range(60)))} {at('00:00')}\n"
                                  f"m,s=a v={float(sum(range(60, 120)))} {at('01:00')}\n")


def test_downstream_run_waits_in_a_later_tick_for_an_upstream_run_not_due_yet(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    engine.create_bucket("raw")
    write_minutes(engine, "raw", "00:00", 120)
    a, b = chain(engine)
    report = engine.tasks.tick(at("01:07"))  # B due at 01:05, A only at 01:10
    assert report.runs == []
    assert report.waiting == [(b.id, at("01:00"))]
    assert engine.tasks.runs(b.id) == []
    assert engine.tasks.tick(at("01:09")).waiting == [(b.id, at("01:00"))]

    report = engine.tasks.tick(at("01:10"))
    assert [(r.task_id, fmt(r.scheduled_for), r.status) for r in report.runs] == [
        (a.id, "2024-01-01T01:00:00Z", "success"), (b.id, "2024-01-01T01:00:00Z", "success")]
    assert [fmt(r.started_at) for r in report.runs] == ["2024-01-01T01:10:00Z"] * 2
    assert report.waiting == []
    assert engine.export("y") == f"m,s=a v={float(sum(range(60)))} {at('00:00')}\n"


def test_downstream_run_fails_when_its_upstream_run_failed_for_good(
        open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")  # no "raw" bucket yet: A fails
    a, b = chain(engine, "every: 1h, offset: 10m, retry: 1")
    report = engine.tasks.tick(at("01:10"))
    assert [(r.task_id, r.status) for r in report.runs] == [(a.id, "failed"), (b.id, "failed")]
    failed_b = report.runs[1]
    assert (fmt(failed_b.started_at), fmt(failed_b.finished_at)) == ("2024-01-01T01:10:00Z",) * 2
    assert failed_b.error is not None
    assert f'upstream task "A" ({a.id}) failed its run scheduled for 2024-01-01T01:00:00Z' \
        in failed_b.error
    assert 'could not find bucket "raw"' in failed_b.error
    logs = [e.message for e in engine.tasks.logs(b.id, failed_b.id)]
    assert not any(m.startswith("Window") for m in logs)  # B never ran its query
    assert engine.tasks.get(b.id).last_run_status == "failed"

    engine.create_bucket("raw")
    write_minutes(engine, "raw", "01:00", 60)
    report = engine.tasks.tick(at("02:10"))
    assert [(r.task_id, fmt(r.scheduled_for), r.status) for r in report.runs] == [
        (a.id, "2024-01-01T02:00:00Z", "success"), (b.id, "2024-01-01T02:00:00Z", "success")]
    assert engine.export("y") == f"m,s=a v={float(sum(range(60)))} {at('01:00')}\n"


def test_downstream_waits_while_the_upstream_retry_is_pending(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", retry_attempts=2, retry_backoff=10 * M)
    a, b = chain(engine)
    report = engine.tasks.tick(at("01:12"))  # A fails at 01:10, retries at 01:20
    assert [(r.task_id, r.status) for r in report.runs] == [(a.id, "failed")]
    assert report.waiting == [(b.id, at("01:00"))]
    engine.create_bucket("raw")
    write_minutes(engine, "raw", "00:00", 60)
    report = engine.tasks.tick(at("01:20"))
    assert [(r.task_id, r.status, r.attempt) for r in report.runs] == [
        (a.id, "success", 2), (b.id, "success", 1)]
    assert [fmt(r.started_at) for r in report.runs] == ["2024-01-01T01:20:00Z"] * 2
    assert engine.export("y") == f"m,s=a v={float(sum(range(60)))} {at('00:00')}\n"


# -- 11. manual runs and history (scheduler side) ------------------------------------------------
def test_queued_manual_run_waits_for_its_time(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30")
    engine.create_bucket("raw")
    task = engine.tasks.create(script("hourly", "every: 1h", HOURLY))
    manual = engine.tasks.queue_run(task.id, at("04:30"))
    assert (manual.status, fmt(manual.requested_at)) == ("scheduled", "2024-01-01T00:30:00Z")
    report = engine.tasks.tick(at("04:29"))
    assert [fmt(r.scheduled_for) for r in report.runs] == [
        f"2024-01-01T0{h}:00:00Z" for h in range(1, 5)]
    assert [r.id for r in engine.tasks.runs(task.id, status="scheduled")] == [manual.id]
    report = engine.tasks.tick(at("04:30"))
    assert [(r.id, r.status, fmt(r.started_at)) for r in report.runs] == [
        (manual.id, "success", "2024-01-01T04:30:00Z")]
    assert window_logs(engine, report.runs) == [
        "Window 2024-01-01T03:30:00Z to 2024-01-01T04:30:00Z"]


def test_history_is_pruned_to_the_limit(open_engine: OpenEngine) -> None:
    engine = open_engine("00:30", history_limit=3)
    engine.create_bucket("raw")
    task = engine.tasks.create(script("hourly", "every: 1h", HOURLY))
    report = engine.tasks.tick(at("06:00"))
    assert len(report.runs) == 6
    kept = engine.tasks.runs(task.id)
    assert [fmt(r.scheduled_for) for r in kept] == [
        "2024-01-01T06:00:00Z", "2024-01-01T05:00:00Z", "2024-01-01T04:00:00Z"]
    assert {e.run_id for e in engine.tasks.logs(task.id)} == {r.id for r in kept}
