"""What the task tests share: engines whose fixed clock starts when their tasks are created."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from task_helpers import DAY, OpenEngine, at

from storage import FixedClock
from tsengine import Engine
from tsengine.tasks.scheduler import SchedulerSettings


@pytest.fixture
def engines(tmp_path: Path) -> Iterator[OpenEngine]:
    """Open engines on data directories under tmp_path, their clocks at `created` on `day`,
    with the scheduler settings given; all closed at the end."""
    opened: list[Engine] = []

    def make(created: str = "00:00", day: str = DAY, name: str = "data",
             **settings: object) -> Engine:
        engine = Engine.open(tmp_path / name, clock=FixedClock(at(created, day)),
                             task_settings=SchedulerSettings(**settings))  # type: ignore[arg-type]
        opened.append(engine)
        return engine

    yield make
    for engine in opened:
        engine.close()
