"""The executor: runs one run of a task, the way InfluxDB's task executor does.

The query runs with `now()` = the run's scheduledFor (so `range(start: -task.every)` covers the
scheduled window whatever the offset), and with `v.timeRangeStart`/`v.timeRangeStop` set to
that window as an extern option (a tsengine extension; the script's own `option v` wins). The
run's record moves scheduled -> started -> success | failed, with log lines on the way, and the
task's progress (latestCompleted, last run status and error) follows. Any failure of the query
is the run's failure, never the scheduler's.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from storage import StorageError, Store, format_time
from tsengine.errors import TsengineError
from tsengine.execute.query import run_query
from tsengine.flux.values import Record, Time
from tsengine.tasks.model import Run, Task
from tsengine.tasks.schedule import Schedule
from tsengine.tasks.store import TaskStore

Stamp = Callable[[], int]


class TaskExecutor:
    """Executes runs: one query each, recorded with its logs."""

    def __init__(self, store: Store, tasks: TaskStore) -> None:
        self.store = store
        self.tasks = tasks

    def execute(self, task: Task, run: Run, stamp: Stamp) -> Run:
        """Start, run and finish one run; `stamp` tells the time to record (the scheduler's
        clock: the wall clock, or the simulated time of a `tick`)."""
        start, stop = window(task, run.scheduled_for)
        self.tasks.update_run(task.id, run.id, status="started", now=stamp())
        log = self._logger(task, run, stamp)
        log(f'Started task from script: "{task.flux}"')
        if run.attempt > 1:
            log(f"Attempt {run.attempt}")
        log(f"Window {format_time(start)} to {format_time(stop)}")
        counts: Counter[str] = Counter()
        error = self._query(task, run, start, stop, counts)
        log(f"Read {counts['points_read']} points, wrote {counts['points_written']} points")
        return self.finish(task, run, stamp, error)

    def finish(self, task: Task, run: Run, stamp: Stamp, error: str | None) -> Run:
        """Record how a run ended (a run the scheduler fails without running it, too)."""
        log = self._logger(task, run, stamp)
        status = "failed" if error else "success"
        log(f"Completed({status})")
        if error:
            log(error)
        done = self.tasks.update_run(task.id, run.id, status=status, now=stamp(), error=error)
        self.tasks.set_progress(task.id, latest_completed=run.scheduled_for,
                                last_run_status=status,
                                last_run_error=error.splitlines()[0] if error else None)
        return done

    def _query(self, task: Task, run: Run, start: int, stop: int, counts: Counter[str]
               ) -> str | None:
        """Run the task's script; its error message, or None."""
        extern = {"v": Record({"timeRangeStart": Time(start), "timeRangeStop": Time(stop)})}
        try:
            run_query(self.store, task.flux, now=run.scheduled_for, extern=extern,
                      counts=counts)
        except (TsengineError, StorageError) as e:
            return f"could not execute task run: {e}"
        except Exception as e:  # noqa: BLE001  a bug in a query must fail the run, not the scheduler
            return f"could not execute task run: internal error: {e!r}"
        return None

    def _logger(self, task: Task, run: Run, stamp: Stamp) -> Callable[[str], None]:
        def log(message: str) -> None:
            self.tasks.add_log(task.id, run.id, stamp(), message)
        return log


def window(task: Task, scheduled_for: int) -> tuple[int, int]:
    """The time range a run covers: from the schedule before `scheduled_for` to it."""
    return Schedule.of(task.options).previous(scheduled_for), scheduled_for
