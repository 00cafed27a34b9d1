"""Pending writes: acknowledged, durable in the write log, not yet in DuckDB's hot tables.

A DuckDB transaction per request costs more than parsing it (an insert and a commit of a few
thousand rows: ~10 ms). Writes are instead logged (storage.write_log) and held here, and go into
the hot tables many at a time, in one insert per table and one commit: when enough rows wait,
and before anything reads or changes stored rows (the store flushes first), so that readers
never see the difference.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import polars as pl

from storage.write_log import LoggedWrite, WriteLog

FLUSH_ROWS = 500_000  # rows held before they go into DuckDB: one bulk insert's worth


class PendingWrites:
    """The rows of logged writes, per hot table, in write order."""

    def __init__(self, log_path: Path) -> None:
        self.log = WriteLog(log_path)
        self._frames: dict[str, list[pl.DataFrame]] = defaultdict(list)
        self.rows = 0
        self.last_seq: int | None = None  # of the newest write held

    def recover(self, flushed_seq: int) -> None:
        """Take back the logged writes after `flushed_seq` (the last one DuckDB committed:
        a crash between a flush's commit and the log's truncation leaves older ones)."""
        for write in self.log.read():
            if write.last_seq > flushed_seq:
                self._hold(write.last_seq, write.tables)

    def add(self, last_seq: int, tables: list[tuple[str, pl.DataFrame]]) -> None:
        """Log a write (synced to disk when this returns), then hold its rows."""
        self.log.append(LoggedWrite(last_seq, tables))
        self._hold(last_seq, tables)

    def tables(self) -> dict[str, pl.DataFrame]:
        """The rows held, one frame per hot table (columns a write lacked are null)."""
        return {name: frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal")
                for name, frames in self._frames.items()}

    def clear(self) -> None:
        """Forget the rows held and empty the log: DuckDB has committed them."""
        self.log.clear()
        self._frames.clear()
        self.rows = 0

    def close(self) -> None:
        self.log.close()

    def _hold(self, last_seq: int, tables: list[tuple[str, pl.DataFrame]]) -> None:
        for name, frame in tables:
            self._frames[name].append(frame)
            self.rows += frame.height
        self.last_seq = last_seq
