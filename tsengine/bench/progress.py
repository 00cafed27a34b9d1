"""Progress as the workloads report it: a factory of bars, click's on a terminal, none in the
Python API unless asked for."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Protocol


class Bar(Protocol):
    def update(self, n_steps: int) -> None: ...


Progress = Callable[[str, int], AbstractContextManager[Bar]]


class _NoBar:
    def __enter__(self) -> _NoBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n_steps: int) -> None:
        return None


def no_progress(label: str, total: int) -> AbstractContextManager[Bar]:  # noqa: ARG001
    """A bar that shows nothing."""
    return _NoBar()
