"""Names the task tests share (the `engines` fixture is in conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

from storage import parse_time
from tsengine import Engine

DAY = "2024-01-01"  # a Monday
OpenEngine = Callable[..., Engine]


def at(clock_time: str, day: str = DAY) -> int:
    """`01:05` or `01:05:30` on `day`, as UTC nanoseconds."""
    return parse_time(f"{day}T{clock_time}{':00' if clock_time.count(':') == 1 else ''}Z")
