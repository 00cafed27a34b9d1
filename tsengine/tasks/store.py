"""TaskStore: tasks, their runs and run logs, kept in the data directory's catalog.duckdb.

Every call is one transaction through `Store.metadata()`, which the Store's lock serializes, so the
scheduler's worker threads share one TaskStore. Listing and ordering follow InfluxDB 2.x
(kv/task.go, task/backend/analytical_storage.go, http/task_service.go).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import duckdb

from storage import Store, new_id
from tsengine.errors import RunNotFound, TaskError, TaskNotFound
from tsengine.tasks.model import (
    FINISHED_STATUSES,
    RUN_STATUSES,
    TASK_STATUSES,
    LogEvent,
    Run,
    Task,
)
from tsengine.tasks.options import TaskOptions, task_options

SECOND = 1_000_000_000
DEFAULT_LIMIT = 100  # InfluxDB's TaskDefaultPageSize
MAX_LIMIT = 500  # InfluxDB's TaskMaxPageSize
LOG_RUNS = 100  # task-level logs gather the logs of this many runs, as InfluxDB's FindLogs

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS tasks (
        id VARCHAR PRIMARY KEY, org_id VARCHAR NOT NULL, name VARCHAR NOT NULL,
        status VARCHAR NOT NULL, flux VARCHAR NOT NULL, description VARCHAR NOT NULL,
        created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, latest_scheduled BIGINT NOT NULL,
        latest_completed BIGINT, last_run_status VARCHAR, last_run_error VARCHAR)""",
    "CREATE SEQUENCE IF NOT EXISTS task_seq",
    """CREATE TABLE IF NOT EXISTS task_runs (
        id VARCHAR PRIMARY KEY, task_id VARCHAR NOT NULL, status VARCHAR NOT NULL,
        scheduled_for BIGINT NOT NULL, started_at BIGINT, finished_at BIGINT,
        requested_at BIGINT, attempt INTEGER NOT NULL, error VARCHAR, seq BIGINT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS task_logs (
        seq BIGINT NOT NULL, task_id VARCHAR NOT NULL, run_id VARCHAR NOT NULL,
        time BIGINT NOT NULL, message VARCHAR NOT NULL)""",
)
_TASK_COLUMNS = ("id, org_id, name, status, flux, description, created_at, updated_at, "
                 "latest_scheduled, latest_completed, last_run_status, last_run_error")
_RUN_COLUMNS = ("id, task_id, status, scheduled_for, started_at, finished_at, requested_at, "
                "attempt, error")
_FINISHED_SQL = "(" + ", ".join(f"'{s}'" for s in FINISHED_STATUSES) + ")"
# unfinished runs first (scheduled, then started; oldest scheduledFor first), then finished runs
# newest scheduledFor first, newest attempt first
_RUN_ORDER = (
    "CASE status WHEN 'scheduled' THEN 0 WHEN 'started' THEN 1 ELSE 2 END, "
    f"CASE WHEN status IN {_FINISHED_SQL} THEN -scheduled_for ELSE scheduled_for END, "
    f"CASE WHEN status IN {_FINISHED_SQL} THEN -attempt ELSE 0 END, "
    f"CASE WHEN status IN {_FINISHED_SQL} THEN -seq ELSE seq END")


def truncate_seconds(ns: int) -> int:
    """`ns` truncated to whole seconds, as InfluxDB keeps task times."""
    return ns - ns % SECOND


@lru_cache(maxsize=1024)
def _options(flux: str) -> TaskOptions:
    """A stored script's options: derived from its text on read, so they never go stale."""
    return task_options(flux)


class TaskStore:
    """Tasks, runs and logs in `catalog.duckdb`, beside the buckets they read and write."""

    def __init__(self, store: Store) -> None:
        self.store = store
        with store.metadata() as con:
            for statement in _SCHEMA:
                con.execute(statement)

    # -- tasks -----------------------------------------------------------------------------
    def create(self, org_id: str, flux: str, *, status: str = "active", description: str = "",
               now: int) -> Task:
        """A new task; its name and schedule come from the script's `option task`."""
        _check_status(status)
        options = _options(flux)  # TaskOptionsError / FluxSyntaxError with line:column
        at = truncate_seconds(now)
        task = Task(new_id(), org_id, options.name, status, flux, description, options,
                    at, at, at, None, None, None)
        with self.store.metadata() as con:
            con.execute(f"INSERT INTO tasks ({_TASK_COLUMNS}) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", _task_row(task))
        return task

    def get(self, task_id: str) -> Task:
        """The task with this id (TaskNotFound)."""
        with self.store.metadata() as con:
            return _get_task(con, task_id)

    def find(self, *, org_id: str | None = None, name: str | None = None,
             status: str | None = None, after: str | None = None,
             limit: int = DEFAULT_LIMIT) -> list[Task]:
        """Tasks matching every filter given, ordered by id; `after` is the last id seen."""
        _check_limit(limit)
        where, params = [], []
        for column, value in (("org_id", org_id), ("name", name), ("status", status)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if after is not None:
            where.append("id > ?")
            params.append(after)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self.store.metadata() as con:
            rows = con.execute(f"SELECT {_TASK_COLUMNS} FROM tasks {clause} ORDER BY id "
                               "LIMIT ?", [*params, limit]).fetchall()
        return [_task(r) for r in rows]

    def every_task(self) -> list[Task]:
        """All tasks, ordered by id (the scheduler's and retry-failed's view; no page limit)."""
        with self.store.metadata() as con:
            rows = con.execute(f"SELECT {_TASK_COLUMNS} FROM tasks ORDER BY id").fetchall()
        return [_task(r) for r in rows]

    def update(self, task_id: str, *, flux: str | None = None, status: str | None = None,
               description: str | None = None, now: int) -> Task:
        """Change a task's script, status or description, as InfluxDB's PATCH does."""
        if flux is None and status is None and description is None:
            raise TaskError("cannot update task without content")
        if status is not None:
            _check_status(status)
        options = _options(flux) if flux is not None else None
        at = truncate_seconds(now)
        with self.store.metadata() as con:
            task = _get_task(con, task_id)
            changes: dict[str, Any] = {}
            if flux is not None and options is not None:
                changes.update(flux=flux, name=options.name, options=options, updated_at=at)
            if description is not None:
                changes.update(description=description, updated_at=at)
            if status is not None and status != task.status:
                changes.update(status=status, updated_at=at)
                if status == "active":  # no backfill of the time spent inactive
                    changes.update(latest_scheduled=at)
            return _save_task(con, task, changes)

    def delete(self, task_id: str) -> None:
        """Delete a task with its runs and their logs."""
        with self.store.metadata() as con:
            _get_task(con, task_id)
            con.execute("DELETE FROM task_logs WHERE task_id = ?", [task_id])
            con.execute("DELETE FROM task_runs WHERE task_id = ?", [task_id])
            con.execute("DELETE FROM tasks WHERE id = ?", [task_id])

    def set_progress(self, task_id: str, *, latest_scheduled: int | None = None,
                     latest_completed: int | None = None, last_run_status: str | None = None,
                     last_run_error: str | None = None) -> Task:
        """Record scheduling progress and the last run's outcome.

        As InfluxDB's kv store: latest_scheduled and latest_completed only move forward; a
        recorded status other than `failed` clears last_run_error.
        """
        if last_run_status is not None and last_run_status not in FINISHED_STATUSES:
            raise TaskError(f"last run status must be one of {', '.join(FINISHED_STATUSES)}, "
                            f"not {last_run_status!r}")
        with self.store.metadata() as con:
            task = _get_task(con, task_id)
            changes: dict[str, Any] = {}
            if latest_scheduled is not None and latest_scheduled > task.latest_scheduled:
                changes["latest_scheduled"] = latest_scheduled
            if latest_completed is not None and (task.latest_completed is None
                                                 or latest_completed > task.latest_completed):
                changes["latest_completed"] = latest_completed
            if last_run_status is not None:
                changes["last_run_status"] = last_run_status
                changes["last_run_error"] = (last_run_error if last_run_status == "failed"
                                             else None)
            elif last_run_error is not None:
                changes["last_run_error"] = last_run_error
            return _save_task(con, task, changes)

    # -- runs ------------------------------------------------------------------------------
    def create_run(self, task_id: str, scheduled_for: int, *, now: int,
                   requested_at: int | None = None, attempt: int = 1,
                   status: str = "scheduled") -> Run:
        """Record a new run of a task (scheduled, manual, retried or backfilled)."""
        _check_run_status(status)
        if attempt < 1:
            raise TaskError(f"run attempt must be at least 1, not {attempt}")
        started = now if status == "started" else None
        finished = now if status in FINISHED_STATUSES else None
        run = Run(new_id(), task_id, status, scheduled_for, started, finished, requested_at,
                  attempt, None)
        with self.store.metadata() as con:
            _get_task(con, task_id)
            con.execute(f"INSERT INTO task_runs ({_RUN_COLUMNS}, seq) VALUES "
                        "(?, ?, ?, ?, ?, ?, ?, ?, ?, nextval('task_seq'))",
                        list(vars(run).values()))
        return run

    def update_run(self, task_id: str, run_id: str, *, status: str, now: int | None = None,
                   error: str | None = None) -> Run:
        """Move a run on: `started` stamps started_at, a finished status finished_at and error."""
        _check_run_status(status)
        if status != "scheduled" and now is None:
            raise TaskError(f"marking run {run_id} {status} needs the time it happened")
        with self.store.metadata() as con:
            run = _get_run(con, task_id, run_id)
            if run.finished or status == "scheduled":
                raise TaskError(f"run {run_id} of task {task_id} cannot go from {run.status} "
                                f"to {status}")
            if status == "started":
                con.execute("UPDATE task_runs SET status = ?, started_at = ? WHERE id = ?",
                            [status, now, run_id])
            else:
                con.execute("UPDATE task_runs SET status = ?, finished_at = ?, error = ? "
                            "WHERE id = ?", [status, now, error, run_id])
            return _get_run(con, task_id, run_id)

    def run(self, task_id: str, run_id: str) -> Run:
        """One run of a task (TaskNotFound, RunNotFound)."""
        with self.store.metadata() as con:
            return _get_run(con, task_id, run_id)

    def runs(self, task_id: str, *, status: str | None = None, after_time: int | None = None,
             before_time: int | None = None, after: str | None = None,
             limit: int = DEFAULT_LIMIT) -> list[Run]:
        """A task's runs in InfluxDB's order: unfinished ones first, then newest finished first.

        after_time/before_time are exclusive bounds on scheduled_for. `after` is InfluxDB's run
        id cursor: it keeps finished runs with a greater id (compared as strings) and, as
        InfluxDB, does not apply to unfinished runs.
        """
        _check_limit(limit)
        if after_time is not None and before_time is not None and before_time <= after_time:
            raise TaskError("beforeTime must be later than afterTime")
        where, params = ["task_id = ?"], [task_id]
        if status is not None:
            _check_run_status(status)
            where.append("status = ?")
            params.append(status)
        if after_time is not None:
            where.append("scheduled_for > ?")
            params.append(after_time)
        if before_time is not None:
            where.append("scheduled_for < ?")
            params.append(before_time)
        if after is not None:
            where.append(f"(status NOT IN {_FINISHED_SQL} OR id > ?)")
            params.append(after)
        with self.store.metadata() as con:
            _get_task(con, task_id)
            return _select_runs(con, " AND ".join(where), params, limit)

    def find_run(self, task_id: str, scheduled_for: int) -> list[Run]:
        """Every attempt at one scheduled time of a task, oldest first."""
        with self.store.metadata() as con:
            _get_task(con, task_id)
            rows = con.execute(f"SELECT {_RUN_COLUMNS} FROM task_runs WHERE task_id = ? "
                               "AND scheduled_for = ? ORDER BY attempt, seq",
                               [task_id, scheduled_for]).fetchall()
        return [Run(*r) for r in rows]

    def prune(self, task_id: str, keep: int) -> int:
        """Delete finished runs (and their logs) beyond the newest `keep` in runs() order.

        Unfinished runs are never pruned. Returns how many runs were deleted.
        """
        if keep < 0:
            raise TaskError(f"runs to keep must be 0 or more, not {keep}")
        with self.store.metadata() as con:
            _get_task(con, task_id)
            ids = [r for (r,) in con.execute(
                f"SELECT id FROM task_runs WHERE task_id = ? AND status IN {_FINISHED_SQL} "
                f"ORDER BY {_RUN_ORDER} OFFSET ?", [task_id, keep]).fetchall()]
            if ids:
                marks = ", ".join("?" * len(ids))
                con.execute(f"DELETE FROM task_logs WHERE run_id IN ({marks})", ids)
                con.execute(f"DELETE FROM task_runs WHERE id IN ({marks})", ids)
        return len(ids)

    # -- logs ------------------------------------------------------------------------------
    def add_log(self, task_id: str, run_id: str, time: int, message: str) -> None:
        """Append a log line to a run."""
        with self.store.metadata() as con:
            _get_run(con, task_id, run_id)
            con.execute("INSERT INTO task_logs VALUES (nextval('task_seq'), ?, ?, ?, ?)",
                        [task_id, run_id, time, message])

    def logs(self, task_id: str, run_id: str | None = None) -> list[LogEvent]:
        """A run's log lines in the order written; for a task, those of its runs (up to 100)
        one run after another in runs() order, as InfluxDB's task logs."""
        with self.store.metadata() as con:
            if run_id is not None:
                _get_run(con, task_id, run_id)
                order = [run_id]
            else:
                _get_task(con, task_id)
                order = [r.id for r in _select_runs(con, "task_id = ?", [task_id], LOG_RUNS)]
            if not order:
                return []
            marks = ", ".join("?" * len(order))
            rows = con.execute(f"SELECT run_id, time, message FROM task_logs WHERE task_id = ? "
                               f"AND run_id IN ({marks}) ORDER BY seq",
                               [task_id, *order]).fetchall()
        by_run: dict[str, list[LogEvent]] = {r: [] for r in order}
        for row in rows:
            by_run[row[0]].append(LogEvent(*row))
        return [event for r in order for event in by_run[r]]


def _check_status(status: str) -> None:
    if status not in TASK_STATUSES:
        raise TaskError(f"invalid task status {status!r}: must be active or inactive")


def _check_run_status(status: str) -> None:
    if status not in RUN_STATUSES:
        raise TaskError(f"invalid run status {status!r}: must be one of "
                        f"{', '.join(RUN_STATUSES)}")


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise TaskError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")


def _task_row(task: Task) -> list[Any]:
    return [task.id, task.org_id, task.name, task.status, task.flux, task.description,
            task.created_at, task.updated_at, task.latest_scheduled, task.latest_completed,
            task.last_run_status, task.last_run_error]


def _task(row: tuple[Any, ...]) -> Task:
    (id_, org_id, name, status, flux, description, created, updated, scheduled, completed,
     run_status, run_error) = row
    return Task(id_, org_id, name, status, flux, description, _options(flux), created, updated,
                scheduled, completed, run_status, run_error)


def _get_task(con: duckdb.DuckDBPyConnection, task_id: str) -> Task:
    row = con.execute(f"SELECT {_TASK_COLUMNS} FROM tasks WHERE id = ?", [task_id]).fetchone()
    if row is None:
        raise TaskNotFound(task_id)
    return _task(row)


def _save_task(con: duckdb.DuckDBPyConnection, task: Task, changes: dict[str, Any]) -> Task:
    """Write the changed fields of a task back; the task as it now is."""
    if not changes:
        return task
    updated = Task(**{**vars(task), **changes})
    columns = [c for c in changes if c != "options"]
    con.execute(f"UPDATE tasks SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?",
                [getattr(updated, c) for c in columns] + [task.id])
    return updated


def _get_run(con: duckdb.DuckDBPyConnection, task_id: str, run_id: str) -> Run:
    _get_task(con, task_id)
    row = con.execute(f"SELECT {_RUN_COLUMNS} FROM task_runs WHERE id = ? AND task_id = ?",
                      [run_id, task_id]).fetchone()
    if row is None:
        raise RunNotFound(task_id, run_id)
    return Run(*row)


def _select_runs(con: duckdb.DuckDBPyConnection, where: str, params: list[Any],
                 limit: int) -> list[Run]:
    rows = con.execute(f"SELECT {_RUN_COLUMNS} FROM task_runs WHERE {where} "
                       f"ORDER BY {_RUN_ORDER} LIMIT ?", [*params, limit]).fetchall()
    return [Run(*r) for r in rows]
