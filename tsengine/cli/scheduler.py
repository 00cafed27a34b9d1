"""`tsengine scheduler tick|run`: run what task schedules have due, once or on the clock."""

from __future__ import annotations

import signal
import threading
from dataclasses import replace
from types import FrameType

import click

from storage import InvalidArgument, format_time, parse_duration
from tsengine.cli.context import open_engine
from tsengine.cli.tasks import (
    SCHEDULER_SETTINGS,
    first_line,
    parse_at,
    settings_options,
)
from tsengine.tasks.model import Run
from tsengine.tasks.scheduler import SchedulerSettings, TickReport

SECOND = 1_000_000_000


@click.group("scheduler")
def scheduler() -> None:
    """Run the runs task schedules have due: one tick at a given time, or on the clock."""


@scheduler.command("tick")
@click.option("--now", help="The time to tick at (RFC3339): runs are stamped with the time they "
                            "were due, as if a scheduler had run all along [default: the clock].")
@settings_options(*SCHEDULER_SETTINGS)
@click.pass_context
def tick(ctx: click.Context, now: str | None, settings: SchedulerSettings) -> None:
    """Run every run due up to --now, in schedule order, then return.

    Prints one line per finished run (task name, scheduledFor, status, error) and a summary on
    stderr. Failed runs are recorded (and retried per the retry settings) and do not change the
    exit status. With --no-catch-up only the newest due schedule of each task runs.
    """
    if not settings.catch_up:
        settings = replace(settings, catch_up_limit=1)
    with open_engine(ctx, task_settings=settings) as engine:
        report = engine.tasks.tick(parse_at(engine, now) if now else None)
        names: dict[str, str] = {}
        for r in report.runs:
            if r.task_id not in names:
                names[r.task_id] = engine.tasks.get(r.task_id).name
            click.echo(run_line(names[r.task_id], r))
    click.echo(summary(report, settings), err=True)


@scheduler.command("run")
@settings_options(*SCHEDULER_SETTINGS)
@click.option("--poll-interval", default="1s", show_default=True,
              help="How often the scheduler looks for due runs.")
@click.pass_context
def run(ctx: click.Context, poll_interval: str, settings: SchedulerSettings) -> None:
    """Run task schedules on the system clock until interrupted (Ctrl-C or SIGTERM).

    Without --no-catch-up, schedules missed while no scheduler ran are run first (up to
    --catch-up-limit per task). The data directory stays held while it runs.
    """
    try:
        poll = parse_duration(poll_interval) / SECOND
    except InvalidArgument as e:
        raise click.BadParameter(str(e), param_hint="'--poll-interval'") from None
    if poll <= 0:
        raise click.BadParameter("must be more than 0", param_hint="'--poll-interval'")
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        with open_engine(ctx, task_settings=settings) as engine:
            click.echo(f"scheduler running on {ctx.obj['data_dir']} (Ctrl-C or SIGTERM stops "
                       "it)", err=True)
            engine.tasks.run_scheduler(stop, poll)
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
    click.echo("scheduler stopped", err=True)


def run_line(name: str, run: Run) -> str:
    """`<task name>\\t<scheduledFor>\\t<status>[\\t<error>]`."""
    tail = f"\t{first_line(run.error)}" if run.error else ""
    return f"{name}\t{format_time(run.scheduled_for)}\t{run.status}{tail}"


def summary(report: TickReport, settings: SchedulerSettings) -> str:
    """`N runs: N succeeded, N failed`, then what waits and what was skipped, if any."""
    runs = report.runs
    ok = sum(r.status == "success" for r in runs)
    failed = sum(r.status == "failed" for r in runs)
    text = f"{len(runs)} runs: {ok} succeeded, {failed} failed"
    if report.waiting:
        text += f", {len(report.waiting)} waiting for upstream"
    skipped = sum(report.skipped.values())
    if skipped:
        why = "catch-up disabled" if not settings.catch_up else (
            f"catch-up limit {settings.catch_up_limit}")
        text += f", {skipped} missed schedules skipped ({why})"
    return text
