"""Pending writes: acknowledged, durable in the write log, not yet in DuckDB's hot tables.

A DuckDB transaction per request costs nearly as much as parsing it (an insert and a commit of
a few thousand rows: ~10 ms). Writes are instead logged (storage.write_log) and held here, and
go into the hot tables many at a time, in one insert per table and one commit: when enough rows
wait, and before anything reads or changes stored rows (the store flushes first), so that
readers never see the difference. Compaction takes them straight into Parquet instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from storage.write_log import Appended, LoggedWrite, WriteLog

# rows held before they go into DuckDB, unless compaction (at 2,000,000 hot rows by default)
# takes them first, straight into Parquet
FLUSH_ROWS = 2_000_000


@dataclass(frozen=True)
class Taken:
    """The rows held, per hot table, as compaction took them, and the sealed log segment
    holding them (see WriteLog.seal)."""

    tables: dict[str, pl.DataFrame]
    segment: int


class PendingWrites:
    """The rows of logged writes, per hot table, in write order."""

    def __init__(self, log_path: Path) -> None:
        self.log = WriteLog(log_path)
        self._frames: dict[str, list[pl.DataFrame]] = defaultdict(list)
        self.rows = 0
        self.last_seq: int | None = None  # of the newest write held

    def recover(self, flushed_seq: int, compacted: dict[str, int]) -> None:
        """Take back the logged writes after `flushed_seq` (the last one DuckDB committed:
        a crash between a flush's commit and the log's truncation leaves older ones), but a
        table's rows up to its `compacted` sequence number (compaction took them straight
        into Parquet; a crash left the log behind)."""
        for write in self.log.read():
            kept = [(name, frame) for name, frame in write.tables
                    if write.last_seq > max(flushed_seq, compacted.get(name, 0))]
            if kept:
                self._hold(write.last_seq, kept)

    def add(self, last_seq: int, tables: list[tuple[str, pl.DataFrame]]) -> Appended:
        """Log a write and hold its rows; the write is durable once the log is synced
        through the returned record (WriteLog.sync), which the caller does before it
        acknowledges the write."""
        appended = self.log.write(LoggedWrite(last_seq, tables))
        self._hold(last_seq, tables)
        return appended

    def forget(self, tables: list[tuple[str, pl.DataFrame]]) -> None:
        """Let go of one write's rows (`tables`, as added): its log sync failed."""
        for name, frame in tables:
            held = self._frames.get(name, [])
            if any(f is frame for f in held):
                self._frames[name] = [f for f in held if f is not frame]
                self.rows -= frame.height

    def oldest(self, table: str) -> int | None:
        """The earliest time of the rows held for a hot table (None: none held)."""
        times = [f.get_column("time").min() for f in self._frames.get(table, []) if f.height]
        return min(times) if times else None  # type: ignore[type-var]

    def tables(self) -> dict[str, pl.DataFrame]:
        """The rows held, one frame per hot table (columns a write lacked are null)."""
        return {name: _stacked(frames) for name, frames in self._frames.items() if frames}

    def take(self) -> Taken:
        """Hand every row held over to compaction and seal the log: its records are then
        those rows' (and committed ones'), deleted by `committed` once compaction commits.
        The rows are no longer held here; `give_back` holds them again."""
        segment = self.log.seal()
        taken = Taken(self.tables(), segment)
        self._frames.clear()
        self.rows = 0
        return taken

    def give_back(self, tables: dict[str, pl.DataFrame]) -> None:
        """Hold again rows taken and not committed, before the rows held since (older)."""
        for name, frame in tables.items():
            self._frames[name].insert(0, frame)
            self.rows += frame.height

    def committed(self, taken: Taken) -> None:
        """The rows `take` handed over are committed: delete their sealed log segments."""
        self.log.drop_sealed(taken.segment)

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


def _stacked(frames: list[pl.DataFrame]) -> pl.DataFrame:
    return frames[0] if len(frames) == 1 else pl.concat(frames, how="diagonal")
