"""Tasks: the example rollup pipeline (examples/iot_sensor_rollup.flux, then
examples/hourly_rollup.flux) run window by window over the data's span, its buckets renamed
after the bench's. Embedded: the scheduler's simulated ticks (`engine.tasks.tick(now)`), one
per task offset each hour, so a tick's time is a run's latency. InfluxDB v2 API: the tasks are
created through /api/v2/tasks and a run per window is queued (POST /api/v2/tasks/{id}/runs);
latency is each run's finishedAt - startedAt as the server reports it."""

from __future__ import annotations

import contextlib
import time

from storage import BucketExists, format_time, parse_time
from storage.timeutil import HOUR
from tsengine.bench.http_targets import InfluxV2Target
from tsengine.bench.progress import Progress, no_progress
from tsengine.bench.results import TasksResult
from tsengine.bench.source import Span
from tsengine.bench.stats import Latency
from tsengine.bench.targets import BenchError, EmbeddedTarget, Target
from tsengine.demo import EXAMPLES, PIPELINE

FINISHED = ("success", "failed", "canceled")
POLL_SECONDS = 0.05
WAIT_SECONDS = 60  # for a server's queued runs to finish, and 2 s more a run


def rollup_buckets(bucket: str) -> tuple[str, str]:
    """Where the pipeline writes: 10-minute means, then their hourly means."""
    return f"{bucket}_rollup_10m", f"{bucket}_rollup_1h"


def pipeline_scripts(bucket: str) -> list[str]:
    """The example tasks reading `bucket` and writing its rollup buckets."""
    ten, hourly = rollup_buckets(bucket)
    scripts = []
    for name in PIPELINE:
        path = EXAMPLES / name
        if not path.exists():
            raise BenchError(f"the tasks workload needs {path} (a source checkout's examples)")
        scripts.append(path.read_text().replace('"raw_telemetry"', f'"{bucket}"')
                       .replace('"aggregated_telemetry"', f'"{ten}"')
                       .replace('"hourly_rollups"', f'"{hourly}"'))
    return scripts


def schedule(span: Span) -> list[int]:
    """The hourly schedule times whose windows [t - 1h, t) cover the span."""
    first = span.start // HOUR * HOUR + HOUR
    last = -(-span.stop // HOUR) * HOUR
    return list(range(first, last + 1, HOUR))


def run_tasks(target: Target, span: Span, progress: Progress = no_progress) -> TasksResult:
    """The pipeline over the span on the target, or `unsupported` where it has no tasks."""
    if isinstance(target, EmbeddedTarget):
        return _embedded(target, span, progress)
    if isinstance(target, InfluxV2Target):
        return _http(target, span, progress)
    return TasksResult("unsupported", f"{target.kind} has no tasks (not supported for this "
                       "target)", [], 0, 0, 0, 0.0, None, Latency.of([]), None)


def _embedded(target: EmbeddedTarget, span: Span, progress: Progress) -> TasksResult:
    engine, clock = target.engine, target.clock
    for name in rollup_buckets(target.bucket):
        with contextlib.suppress(BucketExists):
            engine.create_bucket(name)
    clock.set(span.start)
    tasks = []
    try:
        tasks = [engine.tasks.create(s, description="tsengine bench")
                 for s in pipeline_scripts(target.bucket)]
        offsets = sorted({t.offset.nanoseconds for t in tasks})
        times = schedule(span)
        latencies: list[float] = []
        statuses: list[str] = []
        with progress("tasks", len(times) * len(tasks)) as bar:
            started = time.perf_counter()
            for at in times:
                for offset in offsets:
                    clock.set(at + offset)
                    began = time.perf_counter()
                    report = engine.tasks.tick(at + offset)
                    took = time.perf_counter() - began
                    latencies += [took / len(report.runs)] * len(report.runs)
                    statuses += [r.status for r in report.runs]
                    bar.update(len(report.runs))
            seconds = time.perf_counter() - started
    finally:
        for t in tasks:
            engine.tasks.delete(t.id)
        clock.set(None)
    return _result([t.name for t in tasks], statuses, latencies, seconds,
                   target.peak_rss())


def _http(target: InfluxV2Target, span: Span, progress: Progress) -> TasksResult:
    for name in rollup_buckets(target.bucket):
        if not target.bucket_exists(name):
            target.create_bucket(name)
    scripts = pipeline_scripts(target.bucket)
    ids: list[str] = []
    try:
        ids = [target.create_task(s) for s in scripts]
        times = schedule(span)
        queued: dict[str, set[str]] = {task: set() for task in ids}
        finished: dict[str, dict] = {}
        began = False  # whether the server took up any run (started or finished it)
        with progress("tasks", len(times) * len(ids)) as bar:
            started = time.perf_counter()
            for at in times:
                for task in ids:
                    queued[task].add(target.queue_run(task, format_time(at)))
            deadline = time.monotonic() + WAIT_SECONDS + 2 * len(times) * len(ids)
            while len(finished) < len(times) * len(ids) and time.monotonic() < deadline:
                for task in ids:
                    for run in target.runs(task):
                        if run["id"] not in queued[task]:
                            continue
                        began = began or run["status"] != "scheduled"
                        if run["status"] in FINISHED and run["id"] not in finished:
                            finished[run["id"]] = run
                            bar.update(1)
                if len(finished) < len(times) * len(ids):
                    time.sleep(POLL_SECONDS)
            seconds = time.perf_counter() - started
    finally:
        for task in ids:
            target.delete_task(task)
    runs = list(finished.values())
    missing = len(times) * len(ids) - len(runs)
    latencies = [(parse_time(r["finishedAt"]) - parse_time(r["startedAt"])) / 1e9
                 for r in runs if r.get("startedAt") and r.get("finishedAt")]
    result = _result([n.removesuffix(".flux") for n in PIPELINE], [r["status"] for r in runs] +
                     ["unfinished"] * missing, latencies, seconds, target.peak_rss())
    if missing and not began:
        result.reason = (f"none of the {missing} queued runs started in {seconds:.0f} s: does "
                         "the server run tasks? (`tsengine serve --no-tasks` runs none)")
    elif missing:
        result.reason = f"{missing} runs did not finish in time"
    return result


def _result(names: list[str], statuses: list[str], latencies: list[float],
            seconds: float, rss: int | None) -> TasksResult:
    ok = sum(s == "success" for s in statuses)
    failed = len(statuses) - ok
    return TasksResult(
        "failed" if failed or not statuses else "ok",
        f"{failed} of {len(statuses)} runs did not succeed" if failed else
        None if statuses else "no run was due", names, len(statuses), ok, failed, seconds,
        len(statuses) / seconds if seconds else None, Latency.of(latencies), rss, latencies)
