"""The write log: acknowledged writes wait in `writes.log` (not in DuckDB) until a flush, and
survive a process that dies before it; a torn tail or an already-flushed record is never
replayed into the hot tier."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

import storage.store as store_module
from storage import FieldType, Store
from storage.write_log import LoggedWrite, WriteLog

REPO = Path(__file__).resolve().parents[2]
T0 = 1_704_067_200_000_000_000

# writes, acknowledges, then dies without closing (no flush, no DuckDB commit of the rows)
DIE_AFTER_WRITE = """
import os, sys
from storage import Store
store = Store.open(sys.argv[1])
store.create_bucket("b")
store.write("b", "\\n".join(f"m,h=h{i % 3} f={i},g={i}i {@T0@ + i}" for i in range(200)))
store.write("b", "m,h=h0 f=-1 @T0@")  # the newer value of a point of the first write
print("ACK", flush=True)
os._exit(0)
""".replace("@T0@", str(T0))


def _die_after_write(root: Path) -> None:
    out = subprocess.run([sys.executable, "-c", DIE_AFTER_WRITE, str(root)], cwd=REPO,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout == "ACK\n", out.stderr


def _values(store: Store) -> list[float]:
    return store.scan("b")[FieldType.FLOAT].collect().sort("_time")["_value"].to_list()


def _hot_count(store: Store) -> int:
    m = store.catalog.measurement(store.bucket("b").id, "m")
    assert m is not None
    return store.con.execute(f"SELECT count(*) FROM {m.hot_table}").fetchall()[0][0]


def test_acknowledged_writes_survive_a_process_that_never_flushed(tmp_path):
    _die_after_write(tmp_path / "d")
    assert (tmp_path / "d" / "writes.log").stat().st_size > 0
    with Store.open(tmp_path / "d") as store:
        assert _values(store) == [-1.0, *map(float, range(1, 200))]
        assert store.hot_rows() == 201 and _hot_count(store) == 201  # both writes' rows
        assert (tmp_path / "d" / "writes.log").stat().st_size == 0  # the read flushed them


def test_a_torn_record_is_cut_off_and_the_whole_ones_replayed(tmp_path):
    _die_after_write(tmp_path / "d")
    log = tmp_path / "d" / "writes.log"
    whole = log.stat().st_size
    with open(log, "ab") as f:  # a record whose append was cut short by the crash
        f.write(b"TSWL" + (10_000).to_bytes(8, "little") + b"\0\0\0\0" + b"x" * 100)
    assert len(WriteLog(log).read()) == 2
    assert log.stat().st_size == whole
    with Store.open(tmp_path / "d") as store:
        assert _values(store)[:2] == [-1.0, 1.0] and store.hot_rows() == 201


def test_a_record_flushed_before_the_crash_is_not_replayed(tmp_path):
    """A crash between the flush's commit and the log's truncation leaves records DuckDB
    already holds: their sequence numbers say so."""
    root = tmp_path / "d"
    with Store.open(root) as store:
        store.create_bucket("b")
        store.write("b", f"m,h=a f=1 {T0}\nm,h=a f=2 {T0 + 1}")
        kept = (root / "writes.log").read_bytes()
        store.flush()
        assert (root / "writes.log").stat().st_size == 0
    (root / "writes.log").write_bytes(kept)
    with Store.open(root) as store:
        assert _hot_count(store) == 2 and _values(store) == [1.0, 2.0]
        store.write("b", f"m,h=a f=3 {T0}")  # sequence numbers go on after the replayed ones
        assert _values(store) == [3.0, 2.0]


def test_writes_wait_in_the_log_until_enough_rows_or_a_read(tmp_path, monkeypatch):
    monkeypatch.setattr(store_module, "FLUSH_ROWS", 10)
    with Store.open(tmp_path / "d") as store:
        store.create_bucket("b")
        store.write("b", "\n".join(f"m,h=a f={i} {T0 + i}" for i in range(4)))
        assert _hot_count(store) == 0 and store.hot_rows() == 4
        assert _values(store) == [0.0, 1.0, 2.0, 3.0]  # a read flushes
        assert _hot_count(store) == 4
        store.write("b", "\n".join(f"m,h=a f={i} {T0 + i}" for i in range(4, 10)))
        assert _hot_count(store) == 4
        store.write("b", "\n".join(f"m,h=b g={i}i {T0 + i}" for i in range(10)))
        assert _hot_count(store) == 20  # 16 waiting rows: past FLUSH_ROWS
        assert (tmp_path / "d" / "writes.log").stat().st_size == 0


def test_a_failed_append_leaves_no_torn_record(tmp_path, monkeypatch):
    log = WriteLog(tmp_path / "writes.log")
    table = pl.DataFrame({"time": [1, 2], "seq": [1, 2], "t1": ["a", None]})
    log.append(LoggedWrite(2, [("hot_1", table)]))
    size = (tmp_path / "writes.log").stat().st_size

    flush = log._file.flush
    failures = [OSError(28, "No space left on device")]  # the record's write, once

    def full_disk() -> None:
        if failures:
            raise failures.pop()
        flush()

    monkeypatch.setattr(log._file, "flush", full_disk)
    with pytest.raises(OSError, match="No space"):
        log.append(LoggedWrite(4, [("hot_1", table)]))
    monkeypatch.undo()
    assert (tmp_path / "writes.log").stat().st_size == size
    log.append(LoggedWrite(6, [("hot_1", table)]))
    assert [(w.last_seq, w.tables[0][1].equals(table)) for w in log.read()] == [
        (2, True), (6, True)]
    log.close()


def test_a_failed_sync_fails_every_write_it_would_have_made_durable(tmp_path, monkeypatch):
    """Two writes appended, then the sync fails: whether they reached the disk is unknown,
    so both fail, their records are cut off, and the log refuses writes until reopened."""
    log = WriteLog(tmp_path / "writes.log")
    table = pl.DataFrame({"time": [1, 2], "seq": [1, 2], "t1": ["a", None]})
    log.append(LoggedWrite(2, [("hot_1", table)]))
    size = (tmp_path / "writes.log").stat().st_size
    first = log.write(LoggedWrite(4, [("hot_1", table)]))
    second = log.write(LoggedWrite(6, [("hot_1", table)]))

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", failing)
    with pytest.raises(OSError, match="Input/output"):
        log.sync(first)
    monkeypatch.undo()
    with pytest.raises(OSError, match="refused until the data directory is opened again"):
        log.sync(second)
    with pytest.raises(OSError, match="refused"):
        log.append(LoggedWrite(8, [("hot_1", table)]))
    assert (tmp_path / "writes.log").stat().st_size == size
    log.close()
    again = WriteLog(tmp_path / "writes.log")
    assert [w.last_seq for w in again.read()] == [2]
    again.append(LoggedWrite(8, [("hot_1", table)]))
    assert [w.last_seq for w in again.read()] == [2, 8]
    again.close()


def test_a_record_appended_as_another_writers_sync_fails_is_cut_off_too(tmp_path, monkeypatch):
    """A writer appends under the store's lock while another syncs outside it: one that passed
    the failure check just before the other's fdatasync failed must not leave its record
    behind the cut, to be replayed on the next open as if written."""
    log = WriteLog(tmp_path / "writes.log")
    table = pl.DataFrame({"time": [1], "seq": [1], "t1": ["a"]})
    log.append(LoggedWrite(1, [("hot_1", table)]))
    size = (tmp_path / "writes.log").stat().st_size
    first = log.write(LoggedWrite(2, [("hot_1", table)]))
    checked = log._refuse_after_failure

    def fails_meanwhile() -> None:  # the second writer's check passes, then the sync fails
        checked()
        monkeypatch.setattr(log, "_refuse_after_failure", checked)
        monkeypatch.setattr(os, "fdatasync", failing)
        with pytest.raises(OSError, match="Input/output"):
            log.sync(first)

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(log, "_refuse_after_failure", fails_meanwhile)
    with pytest.raises(OSError, match="refused until the data directory is opened again"):
        log.write(LoggedWrite(3, [("hot_1", table)]))
    monkeypatch.undo()
    assert (tmp_path / "writes.log").stat().st_size == size
    log.close()
    again = WriteLog(tmp_path / "writes.log")
    assert [w.last_seq for w in again.read()] == [1]
    again.close()


def test_one_sync_makes_the_writes_appended_before_it_durable(tmp_path, monkeypatch):
    """Group commit: a writer whose record an earlier sync covered does not sync again."""
    log = WriteLog(tmp_path / "writes.log")
    table = pl.DataFrame({"time": [1], "seq": [1], "t1": ["a"]})
    syncs = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: syncs.append(fd) or real(fd))
    first = log.write(LoggedWrite(1, [("hot_1", table)]))
    second = log.write(LoggedWrite(2, [("hot_1", table)]))
    log.sync(second)
    log.sync(first)
    assert len(syncs) == 1
    third = log.write(LoggedWrite(3, [("hot_1", table)]))
    log.clear()  # committed elsewhere meanwhile: nothing to sync
    log.sync(third)
    assert len(syncs) == 1
    log.close()


def test_a_write_whose_sync_fails_is_not_written(tmp_path, monkeypatch):
    store = Store(tmp_path / "d")
    store.create_bucket("b")
    store.write("b", "m,t=a v=1 1")

    def failing(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fdatasync", failing)
    with pytest.raises(OSError, match="Input/output"):
        store.write("b", "m,t=a v=2 2")
    monkeypatch.undo()
    with pytest.raises(OSError, match="refused"):
        store.write("b", "m,t=a v=3 3")
    assert _values(store) == [1.0]
    store.close()
    reopened = Store(tmp_path / "d")
    assert _values(reopened) == [1.0]
    reopened.write("b", "m,t=a v=3 3")
    assert _values(reopened) == [1.0, 3.0]
    reopened.close()


def test_compaction_takes_pending_writes_straight_into_parquet(tmp_path):
    """Rows waiting in the log skip DuckDB: compaction writes them to Parquet and records,
    per hot table, the sequence number it took them through, so that a log a crash left
    behind is not replayed into the hot tier again."""
    root = tmp_path / "d"
    with Store.open(root) as store:
        store.create_bucket("b")
        store.write("b", f"m,h=a f=1 {T0}\nm,h=a f=2 {T0 + 1}\nn,h=b g=5i {T0}")
        store.write("b", f"m,h=a f=3 {T0}")  # a newer value of the first point
        kept = (root / "writes.log").read_bytes()
        store.compact()
        assert _hot_count(store) == 0 and store.hot_rows() == 0
        assert (root / "writes.log").stat().st_size == 0
        tables = store.catalog.table_sequences()
        assert store.catalog.sequence() == 0  # never flushed: taken through 4 + 2 numbers
        assert tables == {"hot_1": 6, "hot_2": 6}
        assert _values(store) == [3.0, 2.0]
    (root / "writes.log").write_bytes(kept)
    with Store.open(root) as store:
        assert store.hot_rows() == 0 and _values(store) == [3.0, 2.0]
        store.write("b", f"m,h=a f=4 {T0 + 1}")  # numbered after the compacted writes
        assert _values(store) == [3.0, 4.0]


def test_a_close_leaves_pending_writes_in_the_log_for_the_next_open(tmp_path):
    root = tmp_path / "d"
    with Store.open(root) as store:
        store.create_bucket("b")
        store.write("b", f"m,h=a f=1 {T0}\nm,h=a f=2 {T0 + 1}")
    assert (root / "writes.log").stat().st_size > 0
    with Store.open(root) as store:
        assert store.hot_rows() == 2 and _hot_count(store) == 0  # held, not yet in DuckDB
        store.write("b", f"m,h=a f=3 {T0}")  # numbered after the logged ones
        assert _values(store) == [3.0, 2.0] and _hot_count(store) == 3


def test_a_data_directory_opens_once_in_a_process_too(tmp_path):
    """DuckDB shares an open database within a process; the write log's lock refuses a second
    store, which would hold writes the first cannot see and clear them from the log."""
    from storage import DataDirLocked

    with Store.open(tmp_path / "d") as store:
        store.create_bucket("b")
        store.write("b", f"m,h=a f=1 {T0}")
        with pytest.raises(DataDirLocked, match="already open"):
            Store.open(tmp_path / "d")
        assert _values(store) == [1.0]
    with Store.open(tmp_path / "d") as store:  # closed: opens again
        assert _values(store) == [1.0]


def test_a_write_appended_before_a_close_is_durable_when_it_syncs_after(tmp_path, monkeypatch):
    """The store may close between a writer's append and its sync (outside the lock): the
    close syncs, and the late sync finds the record durable instead of a closed file."""
    log = WriteLog(tmp_path / "writes.log")
    table = pl.DataFrame({"time": [1], "seq": [1], "t1": ["a"]})
    appended = log.write(LoggedWrite(1, [("hot_1", table)]))
    syncs = []
    real = os.fdatasync
    monkeypatch.setattr(os, "fdatasync", lambda fd: syncs.append(fd) or real(fd))
    log.close()
    log.sync(appended)
    assert len(syncs) == 1
    again = WriteLog(tmp_path / "writes.log")
    assert [w.last_seq for w in again.read()] == [1]
    again.close()
