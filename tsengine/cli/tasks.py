"""`tsengine task ...`: tasks, their runs and logs, after `influx task` (influx-cli task.go).

Rows go to stdout, messages and progress to stderr. `--json` prints InfluxDB's field names:
`task_json`, `run_json` and `log_json` make that shape and the HTTP server reuses them.
"""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import click

from storage import InvalidArgument, format_time, parse_duration, parse_time
from storage import format_duration as format_ns
from tsengine.cli.context import open_engine
from tsengine.engine import Engine
from tsengine.flux.values import format_duration
from tsengine.tasks.model import RUN_STATUSES, TASK_STATUSES, LogEvent, Run, Task
from tsengine.tasks.scheduler import SchedulerSettings

F = TypeVar("F", bound=Callable[..., Any])
TASK_HEADERS = ("ID", "Name", "Organization ID", "Organization", "Status", "Every", "Cron",
                "Offset", "LatestCompleted", "LastRunStatus")
RUN_HEADERS = ("ID", "TaskID", "Status", "ScheduledFor", "StartedAt", "FinishedAt",
               "RequestedAt", "Error")
LOG_HEADERS = ("RunID", "Time", "Message")


# -- the JSON shape of InfluxDB's task API (http/task_service.go) ----------------------------------
def task_json(task: Task, org: str | None = None) -> dict[str, Any]:
    """A task as InfluxDB's API shows it: empty optional fields are left out, times are RFC3339
    seconds, every/offset are duration strings (`1h`, `-5m`)."""
    out: dict[str, Any] = {"id": task.id, "orgID": task.org_id}
    if org is not None:
        out["org"] = org
    out["name"] = task.name
    if task.description:
        out["description"] = task.description
    out.update(status=task.status, flux=task.flux)
    if task.every is not None:
        out["every"] = format_duration(task.every)
    if task.cron is not None:
        out["cron"] = task.cron
    if not task.offset.is_zero():
        out["offset"] = format_duration(task.offset)
    if task.latest_completed is not None:
        out["latestCompleted"] = format_time(task.latest_completed)
    if task.last_run_status:
        out["lastRunStatus"] = task.last_run_status
    if task.last_run_error:
        out["lastRunError"] = task.last_run_error
    out.update(createdAt=format_time(task.created_at), updatedAt=format_time(task.updated_at))
    return out


def run_json(run: Run, logs: Sequence[LogEvent] | None = None) -> dict[str, Any]:
    """A run as InfluxDB's API shows it: scheduledFor always, the other times when set
    (RFC3339 with nanoseconds), and its log when given."""
    out: dict[str, Any] = {"id": run.id, "taskID": run.task_id, "status": run.status,
                           "scheduledFor": format_time(run.scheduled_for)}
    for key, value in (("startedAt", run.started_at), ("finishedAt", run.finished_at),
                       ("requestedAt", run.requested_at)):
        if value is not None:
            out[key] = format_time(value)
    if logs:
        out["log"] = [log_json(e) for e in logs]
    return out


def log_json(event: LogEvent) -> dict[str, Any]:
    """One log line of a run: `{runID, time, message}`."""
    return {"runID": event.run_id, "time": format_time(event.time), "message": event.message}


# -- the scheduler's instance settings, as options --------------------------------------------
def _backoff(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_duration(value)
    except InvalidArgument as e:
        raise click.BadParameter(str(e)) from None


_DEFAULTS = SchedulerSettings()
_SETTING_OPTIONS: dict[str, Callable[[Any], Any]] = {
    "max_concurrent_runs": click.option(
        "--max-concurrent-runs", type=click.IntRange(1, 1000),
        help=f"Runs executed at once, over all tasks [default: {_DEFAULTS.max_concurrent_runs}]."),
    "retry_attempts": click.option(
        "--retry-attempts", type=click.IntRange(1, 10),
        help="Tries per scheduled time, 1 to 10 (1: never retry); a task's `retry` option "
             f"wins [default: {_DEFAULTS.retry_attempts}]."),
    "retry_backoff": click.option(
        "--retry-backoff", callback=_backoff,
        help="Wait before the second try, doubled after each failure (30s, 5m) "
             f"[default: {format_ns(_DEFAULTS.retry_backoff)}]."),
    "catch_up_limit": click.option(
        "--catch-up-limit", type=click.IntRange(1),
        help="Missed schedules run per task, the newest ones; older ones are skipped "
             f"[default: {_DEFAULTS.catch_up_limit}]."),
    "no_catch_up": click.option(
        "--no-catch-up", is_flag=True,
        help="Skip missed schedules, as InfluxDB does after a restart."),
    "history_limit": click.option(
        "--history-limit", type=click.IntRange(1),
        help="Finished runs kept per task; older ones are deleted "
             f"[default: {_DEFAULTS.history_limit}]."),
}
SCHEDULER_SETTINGS = tuple(_SETTING_OPTIONS)


def settings_options(*names: str) -> Callable[[F], F]:
    """Add the named instance-setting options to a command; it receives them as one
    `settings: SchedulerSettings` (defaults for what is not given)."""
    def decorate(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            given = {name: kwargs.pop(name) for name in names}
            values = {k: v for k, v in given.items() if v is not None and k != "no_catch_up"}
            if given.get("no_catch_up"):
                values["catch_up"] = False
            return f(*args, settings=replace(SchedulerSettings(), **values), **kwargs)
        decorated: Any = wrapper
        for name in reversed(names):
            decorated = _SETTING_OPTIONS[name](decorated)
        return decorated  # type: ignore[no-any-return]
    return decorate


# -- shared options and output ---------------------------------------------------------------------
json_option = click.option("--json", "as_json", is_flag=True,
                           help="Print JSON with InfluxDB's field names instead of a table.")


def read_script(flux: str | None, file: str | None) -> str:
    """The Flux script from the argument, or from -f FILE ('-' or a '-' argument: stdin)."""
    if (flux is None) == (file is None):
        raise click.ClickException("give the Flux script as an argument or with -f FILE "
                                   "(not both)")
    if flux == "-" or file == "-":
        return sys.stdin.read()
    if flux is not None:
        return flux
    try:
        return Path(file).read_text()  # type: ignore[arg-type]
    except (OSError, UnicodeDecodeError) as e:
        raise click.ClickException(f"{file}: cannot read: {e}") from None


def parse_at(engine: Engine, text: str) -> int:
    """An RFC3339 time (or `-1h`, relative to the clock) as int ns."""
    return parse_time(text, now=engine.store.clock.now())


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """Aligned columns separated by two spaces, header first (influx prints a table too)."""
    table = [list(headers), *[[_cell(v) for v in r] for r in rows]]
    widths = [max(len(r[i]) for r in table) for i in range(len(headers))]
    for r in table:
        click.echo("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)).rstrip())


def print_json(value: object) -> None:
    click.echo(json.dumps(value, indent=2))


def _cell(value: str) -> str:
    return value.replace("\n", "\\n")


def _time(ns: int | None) -> str:
    return "" if ns is None else format_time(ns)


def first_line(text: str | None) -> str:
    return (text or "").strip().split("\n", 1)[0]


def print_tasks(engine: Engine, tasks: Sequence[Task], as_json: bool, *, single: bool = False
                ) -> None:
    orgs = {o.id: o.name for o in engine.store.orgs()}
    if as_json:
        items = [task_json(t, orgs.get(t.org_id)) for t in tasks]
        print_json(items[0] if single else items)
        return
    print_table(TASK_HEADERS, [
        (t.id, t.name, t.org_id, orgs.get(t.org_id, ""), t.status,
         format_duration(t.every) if t.every is not None else "", t.cron or "",
         "" if t.offset.is_zero() else format_duration(t.offset), _time(t.latest_completed),
         t.last_run_status or "") for t in tasks])


def print_runs(engine: Engine, runs: Sequence[Run], as_json: bool, *, single: bool = False
               ) -> None:
    if as_json:
        items = [run_json(r, engine.tasks.logs(r.task_id, r.id)) for r in runs]
        print_json(items[0] if single else items)
        return
    print_table(RUN_HEADERS, [
        (r.id, r.task_id, r.status, format_time(r.scheduled_for), _time(r.started_at),
         _time(r.finished_at), _time(r.requested_at), first_line(r.error)) for r in runs])


def run_failed(run: Run) -> click.ClickException:
    return click.ClickException(f"run {run.id} of task {run.task_id} failed: "
                                f"{first_line(run.error) or run.status}")


# -- the commands ----------------------------------------------------------------------------------
@click.group("task")
def task() -> None:
    """Create, list, update and delete tasks; list, start and retry their runs; backfill."""


@task.command("create")
@click.argument("flux", required=False)
@click.option("-f", "--file", type=click.Path(dir_okay=False),
              help="Read the Flux script from this file ('-' for standard input).")
@click.option("-o", "--org", help="The organization (name or ID) [default: the default one].")
@click.option("--status", type=click.Choice(TASK_STATUSES), default="active", show_default=True,
              help="Whether the scheduler runs the task.")
@click.option("-d", "--description", default="", help="A description of the task.")
@json_option
@click.pass_context
def create(ctx: click.Context, flux: str | None, file: str | None, org: str | None, status: str,
           description: str, as_json: bool) -> None:
    """Create a task from the Flux script FLUX (or -f FILE, '-' for standard input).

    Its name, every or cron, and offset come from the script's `option task`; a bad script or
    bad options fail with their line:column. It first runs at its next scheduled time.
    """
    source = read_script(flux, file)
    with open_engine(ctx) as engine:
        created = engine.tasks.create(source, org=org, status=status, description=description)
        print_tasks(engine, [created], as_json, single=True)


@click.command("list")
@click.option("-i", "--id", "task_id", help="Only the task with this ID.")
@click.option("-n", "--name", help="Only tasks with this name.")
@click.option("--status", type=click.Choice(TASK_STATUSES), help="Only active or inactive tasks.")
@click.option("-o", "--org", help="Only tasks of this organization (name or ID).")
@click.option("--limit", type=int, default=100, show_default=True,
              help="The most tasks to list (1 to 500).")
@json_option
@click.pass_context
def list_(ctx: click.Context, task_id: str | None, name: str | None, status: str | None,
          org: str | None, limit: int, as_json: bool) -> None:
    """List tasks (by ID order), or find one with --id."""
    with open_engine(ctx) as engine:
        if task_id is not None:
            found = [engine.tasks.get(task_id)]
        else:
            found = engine.tasks.find(org=org, name=name, status=status, limit=limit)
        print_tasks(engine, found, as_json)


task.add_command(list_, "list")
task.add_command(list_, "find")


@task.command("update")
@click.argument("flux", required=False)
@click.option("-i", "--id", "task_id", required=True, help="The task to update.")
@click.option("-f", "--file", type=click.Path(dir_okay=False),
              help="A new Flux script from this file ('-' for standard input).")
@click.option("--status", type=click.Choice(TASK_STATUSES),
              help="Activate or deactivate the task (activating skips the time it was off).")
@click.option("-e", "--every", help="A new `every` (1h, 90m), written into the script.")
@click.option("-r", "--cron", help="A new `cron` schedule ('0 * * * *'), written into the script.")
@click.option("--offset", help="A new `offset` (5m, -30s; 0s removes it), written into the script.")
@click.option("-d", "--description", help="A new description.")
@json_option
@click.pass_context
def update(ctx: click.Context, flux: str | None, task_id: str, file: str | None,
           status: str | None, every: str | None, cron: str | None, offset: str | None,
           description: str | None, as_json: bool) -> None:
    """Update a task's script (FLUX or -f FILE), status, schedule or description.

    --every, --cron and --offset rewrite the script's `option task`, as InfluxDB does.
    """
    source = read_script(flux, file) if flux is not None or file is not None else None
    with open_engine(ctx) as engine:
        updated = engine.tasks.update(task_id, flux=source, status=status,
                                      description=description, every=every, cron=cron,
                                      offset=offset)
        print_tasks(engine, [updated], as_json, single=True)


@task.command("delete")
@click.option("-i", "--id", "task_id", required=True, help="The task to delete.")
@json_option
@click.pass_context
def delete(ctx: click.Context, task_id: str, as_json: bool) -> None:
    """Delete a task with its runs and logs (prints the deleted task)."""
    with open_engine(ctx) as engine:
        found = engine.tasks.get(task_id)
        engine.tasks.delete(task_id)
        print_tasks(engine, [found], as_json, single=True)
    click.echo(f'deleted task "{found.name}" ({found.id})', err=True)


# -- runs ------------------------------------------------------------------------------------------
@task.group("run")
def run() -> None:
    """List, start and retry the runs of a task."""


@run.command("list")
@click.option("--task-id", required=True, help="The task whose runs to list.")
@click.option("--run-id", help="Only this run.")
@click.option("--status", type=click.Choice(RUN_STATUSES), help="Only runs with this status.")
@click.option("--after", help="Only runs scheduled after this time (RFC3339).")
@click.option("--before", help="Only runs scheduled before this time (RFC3339).")
@click.option("--limit", type=int, default=100, show_default=True,
              help="The most runs to list (1 to 500).")
@json_option
@click.pass_context
def run_list(ctx: click.Context, task_id: str, run_id: str | None, status: str | None,
             after: str | None, before: str | None, limit: int, as_json: bool) -> None:
    """List a task's runs: queued and running first, then finished, newest first; a failed
    run shows its error."""
    with open_engine(ctx) as engine:
        if run_id is not None:
            runs = [engine.tasks.run(task_id, run_id)]
        else:
            runs = engine.tasks.runs(
                task_id, status=status, limit=limit,
                after_time=parse_at(engine, after) if after else None,
                before_time=parse_at(engine, before) if before else None)
        print_runs(engine, runs, as_json)


@run.command("start")
@click.option("--task-id", required=True, help="The task to run.")
@click.option("--scheduled-for",
              help="The run's scheduled time (RFC3339): now() in the script and the end of its "
                   "window [default: now].")
@settings_options("history_limit")
@json_option
@click.pass_context
def run_start(ctx: click.Context, task_id: str, scheduled_for: str | None, as_json: bool,
              settings: SchedulerSettings) -> None:
    """Run a task once now, for the window ending at --scheduled-for, and print the run.

    Exits 1 when the run failed (it is recorded; see `task run list`).
    """
    with open_engine(ctx, task_settings=settings) as engine:
        at = parse_at(engine, scheduled_for) if scheduled_for else None
        done = engine.tasks.run_now(task_id, at)
        print_runs(engine, [done], as_json, single=True)
    if done.status != "success":
        raise run_failed(done)


@run.command("retry")
@click.option("-i", "--task-id", required=True, help="The task of the run.")
@click.option("-r", "--run-id", required=True, help="The run to retry.")
@settings_options("history_limit")
@json_option
@click.pass_context
def run_retry(ctx: click.Context, task_id: str, run_id: str, as_json: bool,
              settings: SchedulerSettings) -> None:
    """Retry a finished run now: a new run for the same scheduled time. Exits 1 when it failed."""
    with open_engine(ctx, task_settings=settings) as engine:
        queued = engine.tasks.retry(task_id, run_id)
        click.echo(f"Retry for task {task_id}'s run {run_id} queued as run {queued.id}.",
                   err=True)
        done = engine.tasks.execute(queued)
        print_runs(engine, [done], as_json, single=True)
    if done.status != "success":
        raise run_failed(done)


@task.command("retry-failed")
@click.option("-i", "--task-id", "--id", "task_id",
              help="Only this task's failed runs [default: every task's].")
@click.option("--dry-run", is_flag=True, help="Only print the runs that would be retried.")
@settings_options("history_limit")
@click.pass_context
def retry_failed(ctx: click.Context, task_id: str | None, dry_run: bool,
                 settings: SchedulerSettings) -> None:
    """Retry now every scheduled time whose latest run failed; exits 1 when a retry failed."""
    with open_engine(ctx, task_settings=settings) as engine:
        failed = engine.tasks.retry_failed(task_id, dry_run=True)
        if dry_run:
            for r in failed:
                click.echo(f"Would retry run {r.id} of task {r.task_id} scheduled for "
                           f"{format_time(r.scheduled_for)}: {first_line(r.error)}")
            tasks = len({r.task_id for r in failed})
            click.echo(f"Dry run complete: {len(failed)} runs of {tasks} tasks to retry; "
                       "rerun without --dry-run to retry them", err=True)
            return
        retried = engine.tasks.retry_failed(task_id)
    old = {(r.task_id, r.scheduled_for): r.id for r in failed}
    for r in retried:
        line = (f"Retried run {old.get((r.task_id, r.scheduled_for), '?')} of task {r.task_id} "
                f"scheduled for {format_time(r.scheduled_for)} as run {r.id}: {r.status}")
        click.echo(line + (f": {first_line(r.error)}" if r.error else ""))
    bad = sum(r.status != "success" for r in retried)
    click.echo(f"{len(retried)} runs retried: {len(retried) - bad} succeeded, {bad} failed",
               err=True)
    if bad:
        raise click.ClickException(f"{bad} of {len(retried)} retried runs failed")


# -- logs ------------------------------------------------------------------------------------------
@task.group("log")
def log() -> None:
    """Show the log lines of a task's runs."""


@log.command("list")
@click.option("--task-id", required=True, help="The task whose logs to list.")
@click.option("--run-id", help="Only this run's log.")
@json_option
@click.pass_context
def log_list(ctx: click.Context, task_id: str, run_id: str | None, as_json: bool) -> None:
    """List the log lines of a task's runs (or of one run)."""
    with open_engine(ctx) as engine:
        if run_id is not None:
            engine.tasks.run(task_id, run_id)  # an unknown run is an error, not an empty log
        events = engine.tasks.logs(task_id, run_id)
    if as_json:
        print_json([log_json(e) for e in events])
        return
    print_table(LOG_HEADERS, [(e.run_id, format_time(e.time), e.message) for e in events])


# -- backfill --------------------------------------------------------------------------------------
@task.command("backfill")
@click.option("--task-id", required=True, help="The task to run over past windows.")
@click.option("--start", required=True, help="The range's start (RFC3339).")
@click.option("--stop", required=True, help="The range's stop (RFC3339).")
@settings_options("history_limit")
@click.pass_context
def backfill(ctx: click.Context, task_id: str, start: str, stop: str,
             settings: SchedulerSettings) -> None:
    """Run a task, in order and now, for every scheduled time whose window lies within
    [--start, --stop]; prints one line per run (status, scheduledFor, run ID, error).

    Running a range again changes no data: to() replaces points. Exits 1 when a run failed.
    """
    with open_engine(ctx, task_settings=settings) as engine, ExitStack() as bars:
        bar: list[Any] = []

        def progress(done: int, total: int) -> None:
            if not bar:
                bar.append(bars.enter_context(click.progressbar(
                    length=total, label="backfill", file=sys.stderr)))
            bar[0].update(done - bar[0].pos)

        runs = engine.tasks.backfill(task_id, parse_at(engine, start), parse_at(engine, stop),
                                     progress)
    if not runs:
        click.echo(f"no scheduled time of task {task_id} has its window within {start} .. "
                   f"{stop}", err=True)
    for r in runs:
        tail = f"\t{first_line(r.error)}" if r.error else ""
        click.echo(f"{r.status}\t{format_time(r.scheduled_for)}\t{r.id}{tail}")
    bad = sum(r.status != "success" for r in runs)
    if bad:
        raise click.ClickException(f"{bad} of {len(runs)} backfill runs failed")
