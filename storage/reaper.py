"""Deferred deletion of replaced Parquet files.

A scan returns LazyFrames that read their files when collected; compaction, retention or a
bucket delete may replace those files in between. Replaced files are therefore deleted only
after a grace period (and when the store closes); a crash before that leaves orphans, which the
next open removes.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from pathlib import Path

DEFAULT_GRACE_SECONDS = 60.0


class Reaper:
    """Files waiting to be deleted, each with the moment it was replaced."""

    def __init__(self, grace_seconds: float = DEFAULT_GRACE_SECONDS) -> None:
        self.grace = grace_seconds
        self._pending: list[tuple[float, Path]] = []

    def add(self, paths: Iterable[str | Path]) -> None:
        now = time.monotonic()
        self._pending.extend((now, Path(p)) for p in paths)

    def reap(self, force: bool = False) -> int:
        """Delete files whose grace period has passed (all of them when `force`)."""
        limit = time.monotonic() - self.grace
        due = [p for t, p in self._pending if force or t <= limit]
        self._pending = [(t, p) for t, p in self._pending if not (force or t <= limit)]
        for path in due:
            path.unlink(missing_ok=True)
        return len(due)

    @property
    def pending(self) -> list[Path]:
        return [p for _, p in self._pending]
