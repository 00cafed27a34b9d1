"""What every command shares: the data directory, opening the engine, turning errors into exits."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from storage import DataDirLocked, StorageError
from tsengine.engine import Engine
from tsengine.errors import TsengineError
from tsengine.tasks.scheduler import SchedulerSettings

DEFAULT_DATA_DIR = Path.home() / ".tsengine" / "data"


def default_data_dir() -> str:
    """`$TSENGINE_DATA_DIR`, else `~/.tsengine/data`."""
    return os.environ.get("TSENGINE_DATA_DIR") or str(DEFAULT_DATA_DIR)


@contextmanager
def open_engine(ctx: click.Context, wait: float = 0,
                task_settings: SchedulerSettings | None = None) -> Iterator[Engine]:
    """Open the engine on the global `--data-dir`; user errors become one line and exit 1.

    `wait`: seconds to keep retrying while another process holds the data directory;
    `task_settings`: the scheduler's instance settings (commands that run tasks).
    """
    try:
        with _open(ctx.obj["data_dir"], wait, task_settings) as engine:
            yield engine
    except (StorageError, TsengineError) as e:
        raise click.ClickException(str(e)) from None


def _open(data_dir: str, wait: float, task_settings: SchedulerSettings | None) -> Engine:
    deadline = time.monotonic() + wait
    while True:
        try:
            return Engine.open(data_dir, task_settings=task_settings)
        except DataDirLocked:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def fail(message: str) -> click.ClickException:
    """A user-facing error: printed as `Error: <message>`, exit status 1."""
    return click.ClickException(message)
