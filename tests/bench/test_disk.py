"""Bytes on disk per field value: du's count of a directory (sparse files by their blocks), and
an InfluxDB 1.x directory measured once its WAL has been compacted and its size holds still."""

from __future__ import annotations

import os
from pathlib import Path

from tsengine.bench.disk import directory_bytes, influxdb1_dirs, influxdb1_disk


def test_sparse_files_count_their_blocks(tmp_path: Path) -> None:
    with open(tmp_path / "sparse", "wb") as f:  # preallocated as InfluxDB's series file is
        f.truncate(4 * 2**20)
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "full").write_bytes(b"x" * 10_000)
    allocated, apparent, files = directory_bytes(tmp_path)
    assert (apparent, files) == (4 * 2**20 + 10_000, 2)
    assert 10_000 <= allocated < 2**20
    assert directory_bytes(tmp_path / "missing") == (0, 0, 0)


def test_influxd_layouts(tmp_path: Path) -> None:
    (tmp_path / "data" / "db").mkdir(parents=True)
    assert influxdb1_dirs(tmp_path, "db") == (tmp_path / "data" / "db", tmp_path / "wal" / "db")
    assert influxdb1_dirs(tmp_path / "data", "db") == (tmp_path / "data" / "db", None)
    missing = influxdb1_disk(tmp_path, "other", 10)
    assert missing.error and "no directory" in missing.error and missing.bytes == 0


class FakeTime:
    """A clock that moves only when slept on; `on_sleep` changes the directory meanwhile."""

    def __init__(self, on_sleep) -> None:
        self.now = 0.0
        self.on_sleep = on_sleep

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.on_sleep(self.now)


def test_measured_once_the_wal_is_compacted_and_the_size_holds(tmp_path: Path) -> None:
    shard = tmp_path / "data" / "db" / "autogen" / "1"
    wal = tmp_path / "wal" / "db" / "autogen" / "1"
    shard.mkdir(parents=True)
    wal.mkdir(parents=True)
    (wal / "_00001.wal").write_bytes(b"w" * 50_000)

    def influxd(now: float) -> None:
        if now == 3:  # the cache is snapshotted into a TSM file, the WAL segment removed
            (shard / "000000001-000000001.tsm").write_bytes(b"t" * 8_000)
            os.remove(wal / "_00001.wal")
            (wal / "_00002.wal").write_bytes(b"")

    fake = FakeTime(influxd)
    disk = influxdb1_disk(tmp_path, "db", 4_000, 60, fake.sleep, fake.clock)
    assert fake.now == 8  # 5 s still after the change at 3 s
    assert (disk.apparent_bytes, disk.files, disk.wal_bytes, disk.error) == (8_000, 2, 0, None)
    assert disk.bytes_per_field_value == disk.bytes / 4_000

    (wal / "_00003.wal").write_bytes(b"w" * 100)  # a WAL that never empties: up to the limit
    fake = FakeTime(lambda now: None)
    disk = influxdb1_disk(tmp_path, "db", 4_000, 10, fake.sleep, fake.clock)
    assert fake.now == 10 and disk.wal_bytes and disk.wal_bytes > 0
