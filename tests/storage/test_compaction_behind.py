"""The write path's compaction writes its Parquet files in a thread of its own, outside the
store's lock: writes go on meanwhile, readers see the rows it took (flushed into DuckDB), a
delete calls it off, a close leaves its rows in the sealed log, and a failure gives its rows
back."""

from __future__ import annotations

import threading
import time

import polars as pl
import pytest

import storage.store as store_module
from storage import FieldType, FixedClock, Store, eq

T0 = 1_704_067_200_000_000_000


class Paused:
    """Holds the write path's compaction between writing its files and committing them."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, fail: bool = False) -> None:
        self.started = threading.Event()
        self.go = threading.Event()
        real = store_module.write_files

        def write_files(root, hot, result):  # type: ignore[no-untyped-def]
            self.started.set()
            assert self.go.wait(30)
            if fail:
                raise OSError("disk full")
            return real(root, hot, result)

        monkeypatch.setattr(store_module, "write_files", write_files)

    def write_past_threshold(self, store: Store, body: str) -> None:
        """A write that begins the compaction; it returns while the compaction is held."""
        store.write("b", body)
        assert self.started.wait(30)

    def release(self, store: Store) -> None:
        self.go.set()
        assert store.wait_for_compaction(30)


def _lines(first: int, count: int, value: float = 0.0) -> str:
    return "\n".join(f"m,h=h{i % 3} f={value + i} {T0 + i}" for i in range(first, first + count))


def _values(store: Store) -> list[float]:
    frame = store.scan("b")[FieldType.FLOAT].collect()
    return frame.sort("_time")["_value"].to_list()


def _parquet_rows(store: Store) -> int:
    return sum(p.rows for p in store.catalog.partitions(store.bucket("b").id))


def _open(path, **kwargs) -> Store:  # type: ignore[no-untyped-def]
    store = Store.open(path, compact_threshold=10, **kwargs)
    if not store.buckets() or all(b.name != "b" for b in store.buckets()):
        store.create_bucket("b")
    return store


def test_writes_go_on_while_its_files_are_written(tmp_path, monkeypatch):
    paused = Paused(monkeypatch)
    with _open(tmp_path / "d") as store:
        store.write("b", _lines(0, 8))
        paused.write_past_threshold(store, _lines(8, 8))  # 16 rows: past the threshold
        store.write("b", _lines(16, 4))  # not blocked by the compaction under way
        assert (tmp_path / "d" / "writes.log.1").exists()  # its rows, sealed
        paused.release(store)
        assert _parquet_rows(store) == 16  # what it took; the later write is still hot
        assert store.hot_rows() == 4
        assert not (tmp_path / "d" / "writes.log.1").exists()
        assert _values(store) == [float(i) for i in range(20)]


def test_a_reader_meanwhile_sees_its_rows_and_it_still_commits(tmp_path, monkeypatch):
    paused = Paused(monkeypatch)
    with _open(tmp_path / "d") as store:
        store.write("b", _lines(0, 8))
        paused.write_past_threshold(store, _lines(8, 8))
        assert _values(store) == [float(i) for i in range(16)]  # flushed into DuckDB
        paused.release(store)
        assert _parquet_rows(store) == 16 and store.hot_rows() == 0  # and deleted there
        assert _values(store) == [float(i) for i in range(16)]
        store.write("b", _lines(0, 1, value=100.0))  # a newer value of the first point
        store.compact()
        assert _values(store) == [100.0, *map(float, range(1, 16))]


def test_a_delete_meanwhile_calls_it_off(tmp_path, monkeypatch):
    paused = Paused(monkeypatch)
    with _open(tmp_path / "d") as store:
        store.write("b", _lines(0, 8))
        paused.write_past_threshold(store, _lines(8, 8))
        store.delete("b", None, None, eq("h", "h0"))
        paused.release(store)
        assert not list((tmp_path / "d" / "buckets").rglob("*.parquet"))  # its files removed
        expected = [float(i) for i in range(16) if i % 3]
        assert _values(store) == expected
        store.compact()
        assert _values(store) == expected and store.hot_rows() == 0


def test_a_close_meanwhile_leaves_its_rows_in_the_log(tmp_path, monkeypatch):
    paused = Paused(monkeypatch)
    store = _open(tmp_path / "d")
    store.write("b", _lines(0, 8))
    paused.write_past_threshold(store, _lines(8, 8))
    paused.go.set()  # the close waits for it, called off, to remove its files
    store.close()
    assert not list((tmp_path / "d" / "buckets").rglob("*.parquet"))
    monkeypatch.undo()
    with _open(tmp_path / "d") as again:
        assert again.hot_rows() == 16
        assert _values(again) == [float(i) for i in range(16)]


def test_a_failure_writing_its_files_gives_its_rows_back(tmp_path, monkeypatch, caplog):
    paused = Paused(monkeypatch, fail=True)
    with _open(tmp_path / "d") as store:
        store.write("b", _lines(0, 8))
        paused.write_past_threshold(store, _lines(8, 8))
        paused.release(store)
        assert "compaction failed" in caplog.text and "disk full" in caplog.text
        assert store.hot_rows() == 16 and _parquet_rows(store) == 0
        monkeypatch.undo()
        store.write("b", _lines(16, 4))  # not retried at once: the rows stay hot
        assert store.wait_for_compaction(30) and _parquet_rows(store) == 0
        store._retry_after = 0.0  # RETRY_SECONDS later
        store.write("b", _lines(20, 1))
        assert store.wait_for_compaction(30)
        assert _parquet_rows(store) == 21 and store.hot_rows() == 0
        assert not list((tmp_path / "d").glob("writes.log.*"))
        assert _values(store) == [float(i) for i in range(21)]


def test_a_crash_after_the_seal_replays_the_sealed_rows(tmp_path):
    """A sealed segment a crash left (its compaction never committed) is read on open."""
    root = tmp_path / "d"
    with Store.open(root) as store:
        store.create_bucket("b")
        store.write("b", _lines(0, 5))
        store._pending.log.seal()  # as a compaction takes the rows
        store.write("b", _lines(5, 5))
    assert (root / "writes.log.1").stat().st_size > 0
    with Store.open(root) as store:
        assert store.hot_rows() == 10
        assert _values(store) == [float(i) for i in range(10)]
        store.compact()
        assert not (root / "writes.log.1").exists()
        frame = store.scan("b")[FieldType.FLOAT].collect()
        assert frame.select(pl.len()).item() == 10


def test_a_write_waits_while_held_rows_pass_the_flush_limit(tmp_path, monkeypatch):
    """Rows coming faster than the compaction under way takes them wait for it, rather than
    pile up in memory or go into DuckDB only to be read back."""
    monkeypatch.setattr(store_module, "FLUSH_ROWS", 3)
    paused = Paused(monkeypatch)
    with _open(tmp_path / "d") as store:
        store.write("b", _lines(0, 8))
        paused.write_past_threshold(store, _lines(8, 8))
        store.write("b", _lines(16, 4))  # 4 held rows now: past the limit
        waiting = threading.Thread(target=store.write, args=("b", _lines(20, 2)))
        waiting.start()
        waiting.join(0.5)
        assert waiting.is_alive() and store.hot_rows() == 20  # its rows not taken yet
        paused.release(store)
        waiting.join(30)
        assert not waiting.is_alive()
        assert _values(store) == [float(i) for i in range(22)]


class PausedMerge:
    """Holds the write path's day merge (outside the lock) until released."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.started = threading.Event()
        self.go = threading.Event()
        real = store_module.merge_day

        def merge_day(*args):  # type: ignore[no-untyped-def]
            self.started.set()
            assert self.go.wait(30)
            return real(*args)

        monkeypatch.setattr(store_module, "merge_day", merge_day)


DAY_NS = 86_400 * 10**9


def _two_files_then_another_day(store: Store) -> None:
    """Two files of the first day, then rows of the next day: the compaction they begin
    merges the first day (written no more) after its commit."""
    store.write("b", _lines(0, 11))  # past the threshold of 10: a file
    assert store.wait_for_compaction(30)
    store.write("b", _lines(11, 11))  # later times: one more file of the day
    assert store.wait_for_compaction(30)
    assert len(store.catalog.partitions(store.bucket("b").id)) == 2
    store.write("b", "\n".join(f"m,h=h{i % 3} f={100 + i} {T0 + DAY_NS + i}" for i in range(11)))


def test_a_day_merge_runs_outside_the_lock_after_the_commit(tmp_path, monkeypatch):
    paused = PausedMerge(monkeypatch)
    with _open(tmp_path / "d") as store:
        _two_files_then_another_day(store)
        assert paused.started.wait(30)
        store.write("b", _lines(22, 2))  # writes go on meanwhile
        assert store.hot_rows() == 2
        paused.go.set()
        assert store.wait_for_compaction(30)
        days = [p.day for p in store.catalog.partitions(store.bucket("b").id)]
        assert sorted(days) == [T0 // DAY_NS, T0 // DAY_NS + 1]  # the first day merged
        assert len(_values(store)) == 22 + 11 + 2


def test_a_delete_meanwhile_calls_the_day_merge_off(tmp_path, monkeypatch):
    paused = PausedMerge(monkeypatch)
    with _open(tmp_path / "d", file_grace_seconds=0) as store:  # replaced files go at once
        _two_files_then_another_day(store)
        assert paused.started.wait(30)
        store.delete("b", None, None, eq("h", "h1"))
        paused.go.set()
        assert store.wait_for_compaction(30)
        listed = {p.path for p in store.catalog.partitions(store.bucket("b").id)}
        on_disk = {str(p) for p in (tmp_path / "d" / "buckets").rglob("*.parquet")}
        assert listed == on_disk  # the merged file, called off, was removed
        assert len(_values(store)) == 33 - 7 - 4  # h1: 7 of the first day, 4 of the next


def test_the_write_paths_compaction_folds_the_write_ahead_log_away(tmp_path):
    """As `compact` does, the write path's compaction checkpoints DuckDB once it deleted the
    hot rows it took, with or without days to merge after it."""
    with _open(tmp_path / "d") as store:
        wal = store.path / "catalog.duckdb.wal"
        store.write("b", _lines(0, 8))
        store.flush()  # into the hot table: DuckDB's write-ahead log holds them
        assert wal.exists() and wal.stat().st_size > 0
        store.write("b", _lines(8, 8))  # past the threshold: no day to merge after it
        assert store.wait_for_compaction(30) and store.hot_rows() == 0
        assert not wal.exists() or wal.stat().st_size == 0


def _until(condition, seconds: float = 30) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def _returns(call, *args, seconds: float = 5) -> bool:  # type: ignore[no-untyped-def]
    """Whether `call(*args)`, run in a thread, returns within `seconds`."""
    thread = threading.Thread(target=call, args=args)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def _files_by_day(store: Store) -> dict[int, int]:
    days: dict[int, int] = {}
    for p in store.catalog.partitions(store.bucket("b").id):
        days[p.day - T0 // DAY_NS] = days.get(p.day - T0 // DAY_NS, 0) + 1
    return days


def test_a_compaction_runs_beside_the_day_merge_before_it(tmp_path, monkeypatch):
    """Rows of the day being written are compacted while the day before is merged (seconds
    for millions of points, which writers would otherwise wait for); the merge commits only
    its own day's files, and the day the second compaction left to merge waits for the next."""
    paused = PausedMerge(monkeypatch)
    with _open(tmp_path / "d") as store:
        _two_files_then_another_day(store)
        assert paused.started.wait(30)
        store.write("b", "\n".join(f"m,h=h{i % 3} f={200 + i} {T0 + DAY_NS + 100 + i}"
                                   for i in range(11)))  # past the threshold again
        assert _until(lambda: store.hot_rows() == 0)  # compacted, the merge still held
        assert _files_by_day(store) == {0: 2, 1: 2}
        paused.go.set()
        assert store.wait_for_compaction(30)
        assert _files_by_day(store) == {0: 1, 1: 2}  # the first day merged, as it was
        assert len(_values(store)) == 44


def test_late_rows_of_a_day_being_merged_wait_for_the_merge(tmp_path, monkeypatch):
    """Points of the day under merge written again: their compaction waits for the merge,
    then merges them with the day's new file (the files it read are gone); every point once,
    with its newest value, and the catalog's files are the files on disk."""
    paused = PausedMerge(monkeypatch)
    with _open(tmp_path / "d", file_grace_seconds=0) as store:
        _two_files_then_another_day(store)
        assert paused.started.wait(30)
        store.write("b", _lines(0, 11, value=1000.0))  # day one's first points again
        time.sleep(0.5)
        assert store.hot_rows() == 11  # its compaction waits
        paused.go.set()
        assert store.wait_for_compaction(30) and store.hot_rows() == 0
        assert _files_by_day(store) == {0: 1, 1: 1}
        values = _values(store)
        assert values[:22] == [1000.0 + i for i in range(11)] + [float(i) for i in range(11, 22)]
        assert len(values) == 33
        listed = {p.path for p in store.catalog.partitions(store.bucket("b").id)}
        on_disk = {str(p) for p in (tmp_path / "d" / "buckets").rglob("*.parquet")}
        assert listed == on_disk


def test_writers_compactions_merges_and_readers_at_once_keep_every_point(tmp_path):
    """Three writers of points over three days (in time order, and points written again out
    of it) with a small threshold, so that compactions run beside day merges, and a reader
    meanwhile: every point once, with the value of its last write, and the catalog's files
    are the files on disk."""
    import random

    found: list[dict[tuple[str, int], float]] = [{}, {}, {}]
    errors: list[BaseException] = []
    with _open(tmp_path / "d", file_grace_seconds=0) as store:
        store.compact_threshold = 60

        def writer(w: int) -> None:  # a series of its own: its writes' order is its own
            rng = random.Random(w)
            try:
                for step in range(40):
                    values = {}
                    for i in range(12):
                        # now and then a point written again, out of time order
                        late = w == 0 and step % 8 == 7 and i == 0
                        slot = rng.randrange(step * 12 + 12) if late else step * 12 + i
                        # 160 slots a day: the writes go through three days in turn
                        key = (f"h{w}", T0 + (slot // 160) * DAY_NS + slot % 160 * 1000)
                        values[key] = float(w * 10_000 + step * 100 + i)
                    store.write("b", "\n".join(f"m,h={h} f={v} {t}"
                                               for (h, t), v in values.items()))
                    found[w].update(values)
            except BaseException as e:  # noqa: BLE001 - reported by the test
                errors.append(e)

        threads = [threading.Thread(target=writer, args=(w,)) for w in range(3)]
        for t in threads:
            t.start()
        while any(t.is_alive() for t in threads):
            store.scan("b").get(FieldType.FLOAT)  # a reader meanwhile (flushes what is held)
            time.sleep(0.01)
        for t in threads:
            t.join()
        assert not errors
        assert store.wait_for_compaction(30)
        store.compact()
        frame = store.scan("b")[FieldType.FLOAT].collect()
        got = {(h, t): v for h, t, v in zip(frame["h"], frame["_time"].dt.epoch("ns"),
                                             frame["_value"], strict=True)}
        assert got == {k: v for mine in found for k, v in mine.items()}
        listed = {p.path for p in store.catalog.partitions(store.bucket("b").id)}
        on_disk = {str(p) for p in (tmp_path / "d" / "buckets").rglob("*.parquet")}
        assert listed == on_disk


def test_a_maintenance_compaction_lets_writes_go_on_while_it_writes_and_merges(
        tmp_path, monkeypatch):
    """compact(full=False), the server's maintenance every minute: its files are written and
    the day it merges is merged outside the lock, as the write path's compaction does, so a
    write meanwhile returns at once (it waited seconds for a day's merge before)."""
    paused, merge = Paused(monkeypatch), PausedMerge(monkeypatch)
    with _open(tmp_path / "d") as store:
        store.compact_threshold = 10**9  # no compaction of the write path's own
        for first in (0, 11):  # two files of the first day
            store.write("b", _lines(first, 11))
            paused.go.set()
            store.compact(full=False)
            paused.go.clear()
        store.write("b", "\n".join(f"m,h=h{i % 3} f={100 + i} {T0 + DAY_NS + i}"
                                   for i in range(11)))  # the next day: the first is merged
        maintenance = threading.Thread(target=store.compact, kwargs={"full": False})
        maintenance.start()
        assert paused.started.wait(30)
        assert _returns(store.write, "b", _lines(40, 2))  # while the files are written
        paused.go.set()
        assert merge.started.wait(30)
        assert _returns(store.write, "b", _lines(50, 2))  # while the day is merged
        merge.go.set()
        maintenance.join(30)
        assert not maintenance.is_alive()
        assert _files_by_day(store) == {0: 1, 1: 1} and store.hot_rows() == 4
        assert len(_values(store)) == 22 + 11 + 4


@pytest.mark.parametrize("retention", [0, 30 * DAY_NS])
def test_retention_with_nothing_expired_leaves_the_compaction_under_way(
        tmp_path, monkeypatch, retention):
    """The server's maintenance enforces retention every minute: with nothing expired (no
    retention, or none past it) that calls no compaction off and flushes nothing."""
    paused = Paused(monkeypatch)
    with _open(tmp_path / "d", clock=FixedClock(T0 + DAY_NS)) as store:
        store.update_bucket("b", retention=retention)
        store.write("b", _lines(0, 8))
        paused.write_past_threshold(store, _lines(8, 8))
        result = store.enforce_retention()
        assert (result.hot_rows_deleted, result.partitions_dropped) == (0, 0)
        paused.release(store)
        assert store.hot_rows() == 0 and _parquet_rows(store) == 16  # it committed
        assert _values(store) == [float(i) for i in range(16)]


def test_rows_expired_in_the_compaction_under_way_are_still_deleted(tmp_path, monkeypatch):
    """Expired rows taken by a compaction under way count: enforcing calls it off and
    deletes them, as before."""
    paused = Paused(monkeypatch)
    clock = FixedClock(T0 + DAY_NS // 2)
    with _open(tmp_path / "d", clock=clock) as store:
        store.update_bucket("b", retention=DAY_NS)
        store.write("b", _lines(0, 8))
        paused.write_past_threshold(store, _lines(8, 8))  # all of them taken
        result = store.enforce_retention(T0 + DAY_NS + 8)  # the first 8 have expired
        assert result.hot_rows_deleted == 8
        paused.release(store)
        assert _values(store) == [float(i) for i in range(8, 16)]
