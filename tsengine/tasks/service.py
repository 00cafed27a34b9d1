"""Tasks as the product offers them: the one API behind `engine.tasks`, the CLI and the server.

It ties the roles together (the store owns records, the schedule says when, the scheduler
what is due, the executor how a run runs) and adds what InfluxDB users asked for: a manual run
of any window that completes before returning, retrying failed runs, and backfill.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from storage import Clock, Store
from tsengine.errors import TaskError
from tsengine.flux.values import Duration
from tsengine.tasks.executor import TaskExecutor
from tsengine.tasks.model import LogEvent, Run, Task
from tsengine.tasks.options import parse_duration, with_options
from tsengine.tasks.schedule import Schedule
from tsengine.tasks.scheduler import Scheduler, SchedulerSettings, TickReport
from tsengine.tasks.store import TaskStore, truncate_seconds

Progress = Callable[[int, int], None]  # (runs done, runs in all)


class TaskService:
    """Create, change and find tasks; list their runs and logs; run, retry and backfill them;
    drive the scheduler."""

    def __init__(self, store: Store, settings: SchedulerSettings | None = None,
                 clock: Clock | None = None) -> None:
        self.store = store
        self.clock = clock or store.clock
        self.records = TaskStore(store)
        self.executor = TaskExecutor(store, self.records)
        self.settings = settings or SchedulerSettings()
        self.scheduler = Scheduler(self.records, self.executor, self.settings, self.clock)

    # -- tasks -------------------------------------------------------------------------------
    def create(self, flux: str, *, org: str | None = None, status: str = "active",
               description: str = "") -> Task:
        """A new task; its name and schedule come from the script's `option task` (a bad script
        or bad options is refused with its line:column). It first runs at its next schedule."""
        return self.records.create(self.store.org(org).id, flux, status=status,
                                   description=description, now=self.clock.now())

    def get(self, task_id: str) -> Task:
        return self.records.get(task_id)

    def find(self, *, org: str | None = None, name: str | None = None,
             status: str | None = None, after: str | None = None, limit: int = 100
             ) -> list[Task]:
        org_id = self.store.org(org).id if org is not None else None
        return self.records.find(org_id=org_id, name=name, status=status, after=after,
                                 limit=limit)

    def update(self, task_id: str, *, flux: str | None = None, status: str | None = None,
               description: str | None = None, every: str | None = None,
               cron: str | None = None, offset: str | None = None) -> Task:
        """Change a task's script, status or description; `every`, `cron` and `offset` (like
        `1h`, `*/5 * * * *`, `5m`) are written into its `option task`, as InfluxDB does."""
        if every is not None and cron is not None:
            raise TaskError("every and cron are mutually exclusive")
        if any(v is not None for v in (every, cron, offset)):
            flux = with_options(flux if flux is not None else self.get(task_id).flux,
                                every=_duration(every), cron=cron, offset=_duration(offset))
        return self.records.update(task_id, flux=flux, status=status, description=description,
                                   now=self.clock.now())

    def delete(self, task_id: str) -> None:
        self.records.delete(task_id)

    # -- runs and logs -----------------------------------------------------------------------
    def runs(self, task_id: str, *, status: str | None = None, after_time: int | None = None,
             before_time: int | None = None, limit: int = 100) -> list[Run]:
        return self.records.runs(task_id, status=status, after_time=after_time,
                                 before_time=before_time, limit=limit)

    def run(self, task_id: str, run_id: str) -> Run:
        return self.records.run(task_id, run_id)

    def logs(self, task_id: str, run_id: str | None = None) -> list[LogEvent]:
        return self.records.logs(task_id, run_id)

    def queue_run(self, task_id: str, scheduled_for: int | None = None) -> Run:
        """A manual run, queued: the scheduler starts it once `scheduled_for` (default: now)
        has come (InfluxDB's POST /tasks/{id}/runs)."""
        task = self.get(task_id)
        now = self.clock.now()
        at = truncate_seconds(now if scheduled_for is None else scheduled_for)
        if any(r.scheduled_for == at and r.requested_at is not None
               for r in self.records.runs(task.id, status="scheduled", limit=500)):
            raise TaskError(f"run already queued for {task.id} at {at}")
        return self.records.create_run(task.id, at, now=now, requested_at=now)

    def run_now(self, task_id: str, scheduled_for: int | None = None) -> Run:
        """Run one window now and return the finished run: the window that ends at
        `scheduled_for` (default: now), with now() = scheduled_for, as a scheduled run has."""
        return self.execute(self.queue_run(task_id, scheduled_for))

    def retry(self, task_id: str, run_id: str) -> Run:
        """Queue a new try of a run: same scheduled time, a new id (InfluxDB's retry)."""
        old = self.run(task_id, run_id)
        if old.status not in ("failed", "canceled", "success"):
            raise TaskError(f"run {run_id} of task {task_id} is {old.status}: only a finished "
                            "run can be retried")
        now = self.clock.now()
        return self.records.create_run(task_id, old.scheduled_for, now=now, requested_at=now,
                                       attempt=old.attempt + 1)

    def retry_failed(self, task_id: str | None = None, *, dry_run: bool = False) -> list[Run]:
        """Retry, now, every scheduled time whose latest run failed (of one task, or all);
        returns the new finished runs (or, with dry_run, the failed runs that would be)."""
        tasks = [self.get(task_id)] if task_id else self.records.every_task()
        failed = []
        for task in tasks:
            latest: dict[int, Run] = {}
            for run in reversed(self.records.runs(task.id, limit=500)):
                if run.finished:
                    latest[run.scheduled_for] = run
            failed += sorted((r for r in latest.values() if r.status == "failed"),
                             key=lambda r: (r.task_id, r.scheduled_for))
        if dry_run:
            return failed
        return [self.execute(self.retry(r.task_id, r.id)) for r in failed]

    def backfill(self, task_id: str, start: int, stop: int, progress: Progress | None = None
                 ) -> list[Run]:
        """Run, in order and before returning, every schedule whose window lies in
        [start, stop]; running it again changes no data, since `to()` replaces points."""
        task = self.get(task_id)
        if stop <= start:
            raise TaskError("backfill needs a start before its stop")
        times = Schedule.of(task.options).within(start, stop)
        done = []
        for i, sf in enumerate(times):
            now = self.clock.now()
            run = self.records.create_run(task.id, sf, now=now, requested_at=now)
            done.append(self.execute(run))
            if progress:
                progress(i + 1, len(times))
        return done

    def execute(self, run: Run) -> Run:
        """Run a queued run (manual or retry) now and return it finished."""
        done = self.executor.execute(self.get(run.task_id), run, self.clock.now)
        self.records.prune(run.task_id, self.settings.history_limit)
        return done

    # -- the scheduler -----------------------------------------------------------------------
    def tick(self, now: int | None = None, *, simulate: bool | None = None) -> TickReport:
        """Run every run due up to `now` (default: the clock's time), in schedule order. With
        an explicit `now` the tick simulates time (runs are stamped when they were due)."""
        if simulate is None:
            simulate = now is not None
        return self.scheduler.tick(self.clock.now() if now is None else now, simulate=simulate)

    def run_scheduler(self, stop: threading.Event, poll_seconds: float = 1.0) -> None:
        """Schedule on the clock until `stop` is set."""
        self.scheduler.run_forever(stop, poll_seconds)


def _duration(text: str | None) -> Duration | None:
    return None if text is None else parse_duration(text)
