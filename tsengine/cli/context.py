"""What every command shares: the data directory, opening the engine, turning errors into exits."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click

from storage import StorageError
from tsengine.engine import Engine
from tsengine.errors import TsengineError

DEFAULT_DATA_DIR = Path.home() / ".tsengine" / "data"


def default_data_dir() -> str:
    """`$TSENGINE_DATA_DIR`, else `~/.tsengine/data`."""
    return os.environ.get("TSENGINE_DATA_DIR") or str(DEFAULT_DATA_DIR)


@contextmanager
def open_engine(ctx: click.Context) -> Iterator[Engine]:
    """Open the engine on the global `--data-dir`; user errors become one line and exit 1."""
    try:
        with Engine.open(ctx.obj["data_dir"]) as engine:
            yield engine
    except (StorageError, TsengineError) as e:
        raise click.ClickException(str(e)) from None


def fail(message: str) -> click.ClickException:
    """A user-facing error: printed as `Error: <message>`, exit status 1."""
    return click.ClickException(message)
