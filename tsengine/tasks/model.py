"""The records of tasks: a task, one run of it, one log line of a run.

Times are int UTC nanoseconds; ids are 16 lowercase hex digits, as InfluxDB's.
"""

from __future__ import annotations

from dataclasses import dataclass

from tsengine.flux.values import Duration
from tsengine.tasks.options import TaskOptions

TASK_STATUSES = ("active", "inactive")
RUN_STATUSES = ("scheduled", "started", "success", "failed", "canceled")
FINISHED_STATUSES = ("success", "failed", "canceled")


@dataclass(frozen=True)
class Task:
    """A Flux script run on the schedule its `option task` declares, with its progress."""

    id: str
    org_id: str
    name: str
    status: str
    flux: str
    description: str
    options: TaskOptions
    created_at: int
    updated_at: int
    latest_scheduled: int
    latest_completed: int | None
    last_run_status: str | None
    last_run_error: str | None

    @property
    def every(self) -> Duration | None:
        return self.options.every

    @property
    def cron(self) -> str | None:
        return self.options.cron

    @property
    def offset(self) -> Duration:
        return self.options.offset

    @property
    def active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class Run:
    """One execution of a task for one scheduled time; retries are new runs (attempt 2, ...)."""

    id: str
    task_id: str
    status: str
    scheduled_for: int
    started_at: int | None
    finished_at: int | None
    requested_at: int | None
    attempt: int
    error: str | None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


@dataclass(frozen=True)
class LogEvent:
    """One log line of a run."""

    run_id: str
    time: int
    message: str
