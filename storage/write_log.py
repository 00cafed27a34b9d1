"""The write log: acknowledged writes not yet in DuckDB's hot tables, appended and synced to
disk before a write returns, so that they survive a crash.

A write becomes one record: the rows it adds to each hot table (Arrow IPC, LZ4) and the last
write sequence number it took. Appending a record is one `write` and one `fdatasync`, much less
than a DuckDB transaction per request; the rows go into DuckDB later, many requests in one
insert (see `storage.pending`). A record is replayed whole or not at all: a crash in the middle
of an append leaves a torn tail, which fails its checksum and is cut off on the next open.

The sync is a group commit: writers append in turn (under the store's lock) and sync after it,
and one `fdatasync` makes every record written before it durable, so a writer whose record
another's sync covered does not sync again. A failed sync fails the writes it covered (their
records are cut off) and every write after it, until the log is opened again: whether they
reached the disk is unknown, and a second `fdatasync` could claim they did.

Compaction takes the pending rows while writes go on (see Store): it seals the log, whose records
are then the rows it took, as a numbered segment (`writes.log.1`, ...) and appends to a new
file, and deletes the sealed segments once their rows are committed. A reopen replays every
segment, then the log.

Record: magic `TSWL`, payload length (u64), CRC-32 of the payload (u32), payload. Payload: the
length of a JSON header (u32), the header (`{"last_seq": n, "tables": [[name, bytes], ...]}`),
then each table's IPC stream.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import json
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

import polars as pl

_MAGIC = b"TSWL"
_HEAD = struct.Struct("<4sQI")
_HEADER_LEN = struct.Struct("<I")


@dataclass(frozen=True)
class LoggedWrite:
    """One write as logged: rows per hot table, and the last sequence number it took."""

    last_seq: int
    tables: list[tuple[str, pl.DataFrame]]


@dataclass(frozen=True)
class Appended:
    """Where a record ends in the log, as of which emptying of it (see WriteLog.sync)."""

    clears: int
    end: int


class WriteLog:
    """An append-only file of LoggedWrite records."""

    def __init__(self, path: Path) -> None:
        """Open (creating) the log, locked: a second store on the same data directory, even
        in this process (where DuckDB shares its database), would hold writes the first
        cannot see and truncate them away. BlockingIOError when it is locked."""
        self.path = path
        # the lock is a file of its own: the log's file is sealed and replaced
        self._lock_file = open(path.with_suffix(".lock"), "ab")  # noqa: SIM115
        try:
            fcntl.flock(self._lock_file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            self._file = open(path, "ab")  # noqa: SIM115 - held open for the store's lifetime
        except BaseException:
            self._lock_file.close()
            raise
        self._end = self._synced = self._file.tell()
        self._clears = 0  # how often the log was emptied or sealed: records before are synced
        self._sync_lock = threading.Lock()
        self._failed: BaseException | None = None  # a sync failed: no write is taken since

    def append(self, write: LoggedWrite) -> None:
        """Append one record and sync it to disk: once this returns, the write is durable."""
        self.sync(self.write(write))

    def write(self, write: LoggedWrite) -> Appended:
        """Append one record, not yet synced (the caller syncs it before acknowledging it;
        appends are the caller's to serialize)."""
        self._refuse_after_failure()
        streams = [_ipc(table) for _, table in write.tables]
        header = json.dumps({"last_seq": write.last_seq, "tables": [
            [name, len(s)] for (name, _), s in zip(write.tables, streams, strict=True)]}).encode()
        parts = [_HEADER_LEN.pack(len(header)), header, *streams]
        crc = 0
        for part in parts:
            crc = zlib.crc32(part, crc)
        start = self._file.tell()
        try:
            self._file.write(_HEAD.pack(_MAGIC, sum(len(p) for p in parts), crc))
            for part in parts:
                self._file.write(part)
            self._file.flush()
        except BaseException:
            # a torn record would hide every later one from the next open: cut it off now
            with contextlib.suppress(OSError):
                self._truncate(start)
            raise
        if self._failed is not None:
            # another writer's sync (outside the store's lock) failed while this record was
            # appended: the failure cuts the log back to what was synced before it, after
            # setting its flag, so seeing the flag here this record may lie past the cut; it
            # goes too (seeing no flag, the cut comes later and takes it)
            with contextlib.suppress(OSError):
                self._truncate(self._synced)
            self._refuse_after_failure()
        self._end = self._file.tell()
        return Appended(self._clears, self._end)

    def sync(self, appended: Appended) -> None:
        """Make the log durable through `appended`'s record: one `fdatasync` covers every
        record written before it, so a sync another writer made since may be enough. A record
        of a log emptied since is committed elsewhere (DuckDB or Parquet), one of a log sealed since
        was synced by the seal: nothing to do."""
        with self._sync_lock:
            if appended.clears != self._clears or self._synced >= appended.end:
                return
            self._refuse_after_failure()
            end = self._end  # what this sync covers: written before it starts
            self._sync_file()
            if appended.clears == self._clears:
                self._synced = max(self._synced, end)

    def _sync_file(self) -> None:
        """fdatasync the log (under the sync lock). On failure, whether what it covered
        reached the disk is unknown, and a retry could claim it did: those writes fail (cut
        off the log), and every later one."""
        try:
            os.fdatasync(self._file.fileno())
        except BaseException as e:
            self._failed = e  # before the cut: a writer appending meanwhile checks it after
            with contextlib.suppress(OSError):
                self._truncate(self._synced)
            raise

    def _refuse_after_failure(self) -> None:
        if self._failed is not None:
            raise OSError(f"the write log failed to sync ({self._failed}); writes are refused "
                          "until the data directory is opened again") from self._failed

    def read(self) -> list[LoggedWrite]:
        """Every whole record of the sealed segments, then of the log, in order; a torn or
        corrupt tail is cut off the log (a sealed segment is left as it is)."""
        writes: list[LoggedWrite] = []
        for _, segment in self.sealed():
            writes += _records(segment.read_bytes())[0]
        data = self.path.read_bytes()
        found, at = _records(data)
        if at < len(data):
            self._truncate(at)
        return writes + found

    def sealed(self) -> list[tuple[int, Path]]:
        """The sealed segments, oldest first: (number, path)."""
        found = []
        for p in self.path.parent.glob(self.path.name + ".*"):
            number = p.name[len(self.path.name) + 1:]
            if number.isdigit():
                found.append((int(number), p))
        return sorted(found)

    def seal(self) -> int:
        """Make the log's records a sealed segment and go on in an empty log; return the
        segment's number, for drop_sealed once its rows are committed. Its records are
        synced first (a writer yet to sync one finds it durable); a failure leaves the log
        as it was."""
        with self._sync_lock:
            self._refuse_after_failure()
            number = (self.sealed() or [(0, None)])[-1][0] + 1
            if self._end == 0:
                return number - 1  # nothing to seal
            self._sync_file()
            os.rename(self.path, self.path.with_name(f"{self.path.name}.{number}"))
            try:
                fresh = open(self.path, "ab")  # noqa: SIM115
                sync_directory(self.path.parent)
            except BaseException:
                os.rename(self.path.with_name(f"{self.path.name}.{number}"), self.path)
                raise
            self._file.close()
            self._file = fresh
            self._clears += 1
            self._end = self._synced = 0
            return number

    def drop_sealed(self, upto: int) -> None:
        """Delete the sealed segments numbered up to `upto`: their rows are committed."""
        for number, segment in self.sealed():
            if number <= upto:
                segment.unlink(missing_ok=True)

    def clear(self) -> None:
        """Empty the log (its writes are committed: in DuckDB, or in Parquet by compaction)."""
        self._truncate(0)

    def close(self) -> None:
        """Sync what is appended and close: a writer that appended before the close and
        syncs after it finds its record durable (the store closes between the two)."""
        with self._sync_lock:
            if self._failed is None and self._synced < self._end:
                os.fdatasync(self._file.fileno())
                self._synced = self._end
            self._file.close()
            self._lock_file.close()

    def _truncate(self, size: int) -> None:
        self._file.flush()
        os.truncate(self.path, size)
        os.fsync(self._file.fileno())
        if size == 0:
            self._clears += 1
        self._end = self._synced = size


def _records(data: bytes) -> tuple[list[LoggedWrite], int]:
    """The whole records at the start of `data`, and where they end."""
    writes: list[LoggedWrite] = []
    at = 0
    while at + _HEAD.size <= len(data):
        magic, size, crc = _HEAD.unpack_from(data, at)
        payload = data[at + _HEAD.size: at + _HEAD.size + size]
        if magic != _MAGIC or len(payload) != size or zlib.crc32(payload) != crc:
            break
        writes.append(_decode(payload))
        at += _HEAD.size + size
    return writes, at


def sync_directory(path: Path) -> None:
    """fsync a directory: the names created, renamed or removed in it are durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _ipc(table: pl.DataFrame) -> bytes:
    sink = io.BytesIO()
    table.write_ipc_stream(sink, compression="lz4")
    return sink.getvalue()


def _decode(payload: bytes) -> LoggedWrite:
    (length,) = _HEADER_LEN.unpack_from(payload, 0)
    at = _HEADER_LEN.size + length
    header = json.loads(payload[_HEADER_LEN.size:at])
    tables = []
    for name, size in header["tables"]:
        tables.append((name, pl.read_ipc_stream(io.BytesIO(payload[at: at + size]))))
        at += size
    return LoggedWrite(int(header["last_seq"]), tables)
