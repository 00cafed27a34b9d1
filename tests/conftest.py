"""Shared fixtures: an engine on a fresh data directory with a clock the test controls."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage import FixedClock, Store, parse_time
from tsengine import Engine

NOW = parse_time("2024-01-02T00:00:00Z")


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def store(tmp_path, clock) -> Iterator[Store]:
    with Store.open(tmp_path / "data", clock=clock, file_grace_seconds=0) as s:
        yield s


@pytest.fixture
def engine(tmp_path, clock) -> Iterator[Engine]:
    with Engine.open(tmp_path / "data", clock=clock) as e:
        yield e
