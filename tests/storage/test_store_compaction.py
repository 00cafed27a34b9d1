"""Compaction: reads unchanged, duplicates gone, one file per partition, automatic compaction,
orphan files removed on open, and a data directory that can be reached by another path."""

from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from storage import FieldType, Store, eq
from storage.timeutil import DAY, HOUR

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z, one day before the fixture clock


def snapshot(store: Store, bucket: str = "b", **kw: object) -> dict:
    """Everything a reader can see: scans per type (sorted), segments, stats."""
    scans = {
        t: lf.collect().sort(pl.all(), nulls_last=True)
        for t, lf in store.scan(bucket, **kw).items()  # type: ignore[arg-type]
    }
    segments = [(s.measurement, s.tags, s.fields, s.frame) for s in store.segments(bucket)]
    return {"scans": scans, "segments": segments, "stats": store.stats(bucket)}


def assert_same(a: dict, b: dict) -> None:
    assert a["scans"].keys() == b["scans"].keys()
    for t in a["scans"]:
        assert a["scans"][t].equals(b["scans"][t], null_equal=True), t
    assert len(a["segments"]) == len(b["segments"])
    for sa, sb in zip(a["segments"], b["segments"], strict=True):
        assert sa[:3] == sb[:3]
        assert sa[3].columns == sb[3].columns
        assert sa[3].equals(sb[3], null_equal=True), sa[0]
    assert a["stats"] == b["stats"]


def parquet_files(root: Path) -> list[Path]:
    return sorted((root / "buckets").rglob("*.parquet"))


def _messy_writes(store: Store) -> None:
    store.create_bucket("b")
    store.write("b", "\n".join(
        [f"cpu,host=h{i % 3},dc=d{i % 2} usage={i}.5,n={i}i {T0 + (i % 5) * HOUR}"
         for i in range(40)]
        + [f"cpu,host=h{i % 3} usage={i} {T0 + DAY + i}" for i in range(10)]
        + [f"mem,host=h1 free={i}u,ok=true,s=\"v{i}\" {T0 - DAY + i * HOUR}" for i in range(6)]
    ))
    store.write("b", f"cpu,dc=d0,host=h0 usage=99 {T0}\nmem,host=h1 ok=false {T0 - DAY}")


def test_reads_identical_before_and_after(store):
    _messy_writes(store)
    before = snapshot(store)
    ranged = snapshot(store, start=T0 + HOUR, stop=T0 + DAY + 5, predicate=eq("host", "h0"))
    assert sum(s.points for s in before["stats"]) == 46  # 30 + 10 cpu, 6 mem
    result = store.compact()
    assert store.hot_rows() == 0
    assert result.rows_in == 58 and result.files_written == 3
    after = snapshot(store)
    assert_same(before, after)
    assert_same(ranged, snapshot(store, start=T0 + HOUR, stop=T0 + DAY + 5,
                                 predicate=eq("host", "h0")))
    # and again after a reopen
    path, clock = store.path, store.clock
    store.close()
    with Store.open(path, clock=clock, file_grace_seconds=0) as again:
        assert_same(before, snapshot(again))


def test_duplicates_removed(store):
    _messy_writes(store)
    stats = store.stats("b")
    distinct = sum(s.points for s in stats)
    assert store.hot_rows() == 58  # every written row, duplicates included
    store.compact()
    bucket = store.bucket("b")
    parts = store.catalog.partitions(bucket.id)
    assert sum(p.rows for p in parts) == distinct
    for p in parts:
        frame = pl.read_parquet(p.path)
        keys = [c for c in frame.columns if c.startswith("t")]  # tags and time
        assert frame.select(pl.struct(keys).is_unique().all()).item(), p.path
        assert frame["time"].min() == p.min_time and frame["time"].max() == p.max_time
    # the overwrite of h0/d0 at T0 kept the newest usage and the older n
    got = store.scan("b", T0, T0 + 1, eq("host", "h0") & eq("dc", "d0"))
    assert got[FieldType.FLOAT].collect()["_value"].to_list() == [99.0]
    assert got[FieldType.INTEGER].collect()["_value"].to_list() == [30]


def test_second_compaction_merges_into_one_file_per_partition(store):
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {T0}\nm,h=a f=2 {T0 + HOUR}\nm,h=a f=3 {T0 + DAY}")
    store.compact()
    first = parquet_files(store.path)
    assert len(first) == 2
    store.write("b", f"m,h=a f=10 {T0}\nm,h=b f=4 {T0 + 2 * HOUR}")
    store.compact()
    second = parquet_files(store.path)
    assert len(second) == 2
    day0 = [p for p in second if "2024-01-01" in str(p)]
    assert len(day0) == 1 and day0[0] not in first  # replaced, old one deleted
    assert [p for p in second if "2024-01-02" in str(p)] == [
        p for p in first if "2024-01-02" in str(p)]  # untouched day kept its file
    parts = store.catalog.partitions(store.bucket("b").id)
    assert sorted((p.day, p.rows) for p in parts) == [(T0 // DAY, 3), (T0 // DAY + 1, 1)]
    assert {str(p) for p in second} == {str(Path(p.path)) for p in parts}
    frame = store.scan("b")[FieldType.FLOAT].collect().sort("_time")
    assert frame["_value"].to_list() == [10.0, 2.0, 4.0, 3.0]
    # compacting with nothing hot changes nothing
    assert store.compact().files_written == 0
    assert parquet_files(store.path) == second


def test_automatic_compaction_past_threshold(tmp_path, clock):
    with Store.open(tmp_path / "d", clock=clock, compact_threshold=10,
                    file_grace_seconds=0) as store:
        store.create_bucket("b")
        store.write("b", "\n".join(f"m f={i} {T0 + i}" for i in range(6)))
        assert store.hot_rows() == 6 and parquet_files(store.path) == []
        store.write("b", "\n".join(f"m f={i} {T0 + i}" for i in range(6, 10)))
        assert store.hot_rows() == 10 and parquet_files(store.path) == []
        store.write("b", f"m f=10 {T0 + 10}")
        assert store.wait_for_compaction(30)  # its own thread writes and commits the files
        assert store.hot_rows() == 0
        assert len(parquet_files(store.path)) == 1
        assert store.scan("b")[FieldType.FLOAT].collect().height == 11
    # the hot row count is known again after a reopen
    with Store.open(tmp_path / "d", clock=clock, compact_threshold=3,
                    file_grace_seconds=0) as store:
        store.write("b", f"m f=1 {T0 + 20}\nm f=2 {T0 + 21}")
        assert store.hot_rows() == 2
    with Store.open(tmp_path / "d", clock=clock, compact_threshold=3,
                    file_grace_seconds=0) as store:
        assert store.hot_rows() == 2
        store.write("b", f"m f=3 {T0 + 22}\nm f=4 {T0 + 23}")
        assert store.wait_for_compaction(30)
        assert store.hot_rows() == 0
        assert store.scan("b")[FieldType.FLOAT].collect().height == 15


def test_orphans_removed_on_open(tmp_path, clock):
    root = tmp_path / "d"
    with Store.open(root, clock=clock, file_grace_seconds=0) as store:
        store.create_bucket("b")
        store.write("b", f"m f=1 {T0}\nm f=2 {T0 + DAY}")
        store.compact()
        bucket_id = store.bucket("b").id
        listed = parquet_files(root)
    assert len(listed) == 2
    day_dir = listed[0].parent
    strays = [
        day_dir / "part-deadbeef.parquet",
        day_dir / "part-deadbeef.parquet.tmp",
        root / "buckets" / bucket_id / "99" / "2024-01-01" / "part-x.parquet",
        root / "buckets" / "0123456789abcdef" / "1" / "2024-01-01" / "part-y.parquet.tmp",
    ]
    for p in strays:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"partial")
    unrelated = day_dir / "notes.txt"
    unrelated.write_text("not ours to delete")
    with Store.open(root, clock=clock, file_grace_seconds=0) as store:
        assert not any(p.exists() for p in strays)
        assert parquet_files(root) == listed
        assert unrelated.exists()
        frame = store.scan("b")[FieldType.FLOAT].collect().sort("_time")
        assert frame["_value"].to_list() == [1.0, 2.0]


@pytest.mark.parametrize("how", ["relative", "moved", "symlink"])
def test_data_dir_reached_by_another_path(tmp_path, clock, monkeypatch, how):
    """The manifest must not depend on how the directory was named when the files were written:
    otherwise opening it by another path would take every Parquet file for an orphan."""
    first = tmp_path / "first"
    with Store.open(first, clock=clock, file_grace_seconds=0) as store:
        store.create_bucket("b")
        store.write("b", f"m,h=a f=1 {T0}\nm,h=a f=2 {T0 + DAY}")
        store.compact()
        store.write("b", f"m,h=a f=3 {T0 + 1}")
    if how == "relative":
        monkeypatch.chdir(tmp_path)
        again: Path = Path("first")
    elif how == "moved":
        again = tmp_path / "second"
        os.rename(first, again)
    else:
        again = tmp_path / "link"
        again.symlink_to(first, target_is_directory=True)
    with Store.open(again, clock=clock, file_grace_seconds=0) as store:
        assert len(parquet_files(again)) == 2
        frame = store.scan("b")[FieldType.FLOAT].collect().sort("_time")
        assert frame["_value"].to_list() == [1.0, 3.0, 2.0]
        store.write("b", f"m,h=a f=4 {T0}")
        store.compact()
        assert len(parquet_files(again)) == 2
        assert store.scan("b")[FieldType.FLOAT].collect().sort("_time")[
            "_value"].to_list() == [4.0, 3.0, 2.0]
        assert store.enforce_retention().partitions_dropped == 0
    # and back by the original kind of path
    with Store.open(again.resolve(), clock=clock, file_grace_seconds=0) as store:
        assert len(parquet_files(again)) == 2
        assert store.scan("b")[FieldType.FLOAT].collect().height == 3


def test_compacted_files_are_sorted_and_typed(store):
    store.create_bucket("b")
    store.write("b", f"m,h=b u=18446744073709551615u {T0 + 1}\nm,h=a u=1u {T0 + 2}\n"
                     f"m,h=a u=2u {T0}")
    store.compact()
    (path,) = store.plan_scan("b").files
    frame = pl.read_parquet(path)
    m = store.catalog.measurement(store.bucket("b").id, "m")
    assert m is not None
    host, u = m.tags["h"].col, m.fields["u"].col
    assert frame[host].to_list() == ["a", "a", "b"]
    assert frame["time"].to_list() == [T0, T0 + 2, T0 + 1]
    assert frame[u].dtype == pl.UInt64 and frame[u].to_list() == [2, 1, 2**64 - 1]
    assert pq.ParquetFile(path).metadata.row_group(0).column(0).statistics is not None


@pytest.mark.parametrize("legacy_prefix", ["absolute", "cwd-relative"])
def test_manifest_with_old_style_paths_still_read_and_made_relative(tmp_path, clock,
                                                                     legacy_prefix):
    root = tmp_path / "d"
    with Store.open(root, clock=clock, file_grace_seconds=0) as store:
        store.create_bucket("b")
        store.write("b", f"m f=1 {T0}")
        store.compact()
        (stored,) = store.con.execute("SELECT path FROM partitions").fetchone()
        assert not Path(stored).is_absolute() and stored.startswith("buckets/")
        # a manifest as written before paths were relative: absolute, or relative to the cwd
        prefix = str(root) if legacy_prefix == "absolute" else "some/dir/d"
        store.con.execute("UPDATE partitions SET path = ? || '/' || path", [prefix])
    with Store.open(root, clock=clock, file_grace_seconds=0) as store:
        (stored,) = store.con.execute("SELECT path FROM partitions").fetchone()
        assert stored.startswith("buckets/")
        assert len(parquet_files(root)) == 1
        assert store.scan("b")[FieldType.FLOAT].collect()["_value"].to_list() == [1.0]


def test_scan_collected_after_a_compaction(tmp_path, clock):
    """Replaced files outlive the compaction by a grace period, so a pending scan still reads."""
    with Store.open(tmp_path / "graced", clock=clock) as store:
        store.create_bucket("b")
        store.write("b", f"m f=1 {T0}")
        store.compact()
        lazy = store.scan("b")[FieldType.FLOAT]
        store.write("b", f"m f=2 {T0 + 1}")
        store.compact()
        assert lazy.collect()["_value"].to_list() == [1.0]


def test_failed_compaction_leaves_old_state_and_no_files(store, monkeypatch):
    store.create_bucket("b")
    store.write("b", f"m f=1 {T0}\nm f=2 {T0 + DAY}\nm f=3 {T0 - DAY}")
    store.compact()
    before_files = parquet_files(store.path)
    store.write("b", f"m f=10 {T0}\nm f=20 {T0 + DAY}\nm f=30 {T0 - DAY}")
    before = snapshot(store)
    import storage.compaction as compaction

    real = compaction.pq.write_table
    calls = []

    def failing(table, file, *args, **kwargs):
        calls.append(file)
        if len(calls) == 2:  # the first file is written, the second fails half-way
            Path(file).write_bytes(b"partial")
            raise OSError(28, "No space left on device")
        return real(table, file, *args, **kwargs)

    monkeypatch.setattr(compaction.pq, "write_table", failing)
    with pytest.raises(OSError, match="No space left"):
        store.compact()
    assert len(calls) == 2
    assert parquet_files(store.path) == before_files
    assert not list((store.path / "buckets").rglob("*.tmp"))
    assert store.hot_rows() == 3
    assert_same(before, snapshot(store))
    monkeypatch.setattr(compaction.pq, "write_table", real)
    store.compact()
    assert store.hot_rows() == 0
    assert_same(before, snapshot(store))


def test_replaced_files_are_deleted_after_the_grace_period_or_at_close(tmp_path, clock):
    with Store.open(tmp_path / "d", clock=clock, file_grace_seconds=0) as store:
        store.create_bucket("b")
        store.write("b", f"m f=1 {T0}")
        store.compact()
        first = parquet_files(store.path)
        store.write("b", f"m f=2 {T0}")  # a rewrite of the file's point: merged with it
        store.compact()  # grace 0: the replaced file goes at the end of this compaction
        assert not any(p.exists() for p in first)
        assert len(parquet_files(store.path)) == 1
    with Store.open(tmp_path / "e", clock=clock) as store:
        store.create_bucket("b")
        store.write("b", f"m f=1 {T0}")
        store.compact()
        first = parquet_files(store.path)
        store.write("b", f"m f=2 {T0}")
        store.compact()
        assert all(p.exists() for p in first) and store.reaper.pending == first
    assert not any(p.exists() for p in first)  # closing deleted them


def test_parquet_files_number_their_series_in_tag_order_prefixed_by_day(store):
    """Compaction writes a series number per row (day << 32 | run number in tag order), which
    a delete's rewrite keeps: series boundaries are one integer comparison for queries."""
    import polars as pl

    from storage import WideRead

    store.create_bucket("b")
    day = 19_723  # 2024-01-01
    t0 = day * 86_400 * 10**9
    store.write("b", "".join(f"m,h={h} v={i} {t0 + i}\n" for h in ("b", "a") for i in range(3)))
    store.compact()
    (part,) = store.catalog.partitions(store.bucket("b").id)
    written = pl.read_parquet(part.path)
    assert written.get_column("series").to_list() == [(day << 32) + n for n in (0, 0, 0, 1, 1, 1)]
    store.delete("b", t0, t0 + 1, None)
    (part,) = store.catalog.partitions(store.bucket("b").id)
    assert pl.read_parquet(part.path).get_column("series").to_list() == [day << 32, (day << 32) + 1]
    (wide,) = store.scan_wide("b", t0, t0 + 10)
    assert wide.numbered and wide.frame.collect().get_column(WideRead.SERIES_COLUMN).n_unique() == 2


def test_points_written_in_time_order_add_a_file_to_their_day(store):
    """Hot rows all after a day's files become one more file of that day (nothing is read
    again); reads see the same points as one merged file would hold."""
    from storage.compaction import MAX_FILES_PER_DAY

    store.create_bucket("b")
    lines = [f"m,h={'ab'[i % 2]} f={i},n={i}i {T0 + i * HOUR // 2}" for i in range(24)]
    store.write("b", "\n".join(lines[:8]))
    store.compact(full=False)
    first = parquet_files(store.path)
    for start in (8, 16):
        store.write("b", "\n".join(lines[start:start + 8]))
        store.compact(full=False)
    files = parquet_files(store.path)
    assert len(files) == 3 and set(first) <= set(files)  # appended, the first file kept
    parts = store.catalog.partitions(store.bucket("b").id)
    assert sum(p.rows for p in parts) == 24 and {p.day for p in parts} == {T0 // DAY}
    got = store.scan("b")[FieldType.FLOAT].collect().sort("h", "_time")
    assert got["_value"].to_list() == [float(i) for i in (*range(0, 24, 2), *range(1, 24, 2))]
    # a point at the time of an earlier file (a rewrite) merges the day into one file
    store.write("b", f"m,h=a f=100 {T0}")
    store.compact(full=False)
    assert len(parquet_files(store.path)) == 1
    got = store.scan("b")[FieldType.FLOAT].collect().sort("h", "_time")
    assert got["_value"].to_list()[:2] == [100.0, 2.0] and got.height == 24
    ints = store.scan("b")[FieldType.INTEGER].collect().sort("h", "_time")
    assert ints["_value"].to_list()[0] == 0  # the rewrite kept the field it did not set
    # at most MAX_FILES_PER_DAY files: the next in-order write merges them all (in DuckDB)
    for k in range(MAX_FILES_PER_DAY - 1):
        store.write("b", f"m,h=a f={k} {T0 + DAY - MAX_FILES_PER_DAY + k}")
        store.compact(full=False)
    assert len(parquet_files(store.path)) == MAX_FILES_PER_DAY
    store.write("b", f"m,h=a f=-1 {T0 + DAY - 1}")
    store.compact(full=False)
    files = parquet_files(store.path)
    assert len(files) == 1
    frame = pl.read_parquet(files[0])
    assert frame.height == 24 + MAX_FILES_PER_DAY
    keys = [c for c in frame.columns if c.startswith("t")]  # tags and time
    assert frame.select(pl.struct(keys).is_unique().all()).item()


def test_appended_files_are_sorted_and_numbered_by_series(store):
    store.create_bucket("b")
    day = T0 // DAY
    store.write("b", "".join(f"m,h={h} v={i} {T0 + i}\n" for h in ("b", "a") for i in range(3)))
    store.compact(full=False)
    store.write("b", "".join(f"m,h={h} v={i} {T0 + i}\n" for h in ("c", "a") for i in (5, 4)))
    store.compact(full=False)
    files = sorted(store.catalog.partitions(store.bucket("b").id), key=lambda p: p.min_time)
    assert len(files) == 2
    second = pl.read_parquet(files[1].path)
    assert second["time"].to_list() == [T0 + 4, T0 + 5, T0 + 4, T0 + 5]
    assert second["series"].to_list() == [(day << 32) + n for n in (0, 0, 1, 1)]


def test_a_timestamp_split_between_two_compactions_appends_a_file(store):
    """A request that ends among one timestamp's points (writers batch by lines, not by time)
    leaves the rest of that timestamp to the next compaction: other series at the files' last
    time add a file too, and the day's files are never read again."""
    store.create_bucket("b")
    lines = [f"m,h={h} f={i} {T0 + i // 3 * HOUR}" for i, h in enumerate("abc" * 4)]
    store.write("b", "\n".join(lines[:7]))  # the third timestamp's a, not its b and c
    store.compact(full=False)
    first = parquet_files(store.path)
    store.write("b", "\n".join(lines[7:]))
    store.compact(full=False)
    files = parquet_files(store.path)
    assert len(files) == 2 and set(first) <= set(files)
    got = store.scan("b")[FieldType.FLOAT].collect().sort("h", "_time")
    assert got["_value"].to_list() == [float(i) for h in range(3) for i in range(h, 12, 3)]
    # a series again at the last time of the files is a rewrite: it merges with the last
    # file, the one holding that time (the first ends before it)
    store.write("b", f"m,h=c f=100 {T0 + 3 * HOUR}\nm,h=c f=101 {T0 + 4 * HOUR}")
    store.compact(full=False)
    files = parquet_files(store.path)
    assert len(files) == 2 and set(first) <= set(files)
    got = store.scan("b")[FieldType.FLOAT].collect().sort("h", "_time")
    assert got.filter(pl.col("h") == "c")["_value"].to_list() == [2.0, 5.0, 8.0, 100.0, 101.0]
    assert got.height == 13


def test_a_full_compaction_merges_each_days_files_as_one_compaction_writes_them(store, tmp_path):
    """Files appended over several compactions become one file per day, the same rows in the
    same order with the same series numbers as when all the points are compacted at once."""
    store.create_bucket("b")
    lines = [f"m,h={h},g={g} f={i},s=\"{i}\" {T0 + i * HOUR}"
             for i in range(30) for h, g in (("b", "x"), ("a", "y"), ("a", "x"))]
    lines += [f"m f={i} {T0 + i * HOUR}" for i in range(0, 30, 7)]  # a series without tags
    lines.sort(key=lambda line: int(line.rsplit(" ", 1)[1]))
    for start in range(0, len(lines), 25):
        store.write("b", "\n".join(lines[start:start + 25]))
        store.compact(full=False)
    days = {p.day: 0 for p in store.catalog.partitions(store.bucket("b").id)}
    for p in store.catalog.partitions(store.bucket("b").id):
        days[p.day] += 1
    assert max(days.values()) > 1
    before = snapshot(store)
    store.compact()
    after = store.catalog.partitions(store.bucket("b").id)
    assert sorted(p.day for p in after) == sorted(days)  # one file per day
    assert_same(before, snapshot(store))
    with Store(tmp_path / "once") as once:
        once.create_bucket("b")
        once.write("b", "\n".join(lines))
        once.compact()
        expected = {p.day: pl.read_parquet(p.path) for p in
                    once.catalog.partitions(once.bucket("b").id)}
    for p in after:
        got = pl.read_parquet(p.path)
        assert got.columns == expected[p.day].columns
        assert got.equals(expected[p.day])
        assert p.rows == got.height and (p.min_time, p.max_time) == (
            got["time"].min(), got["time"].max())


def test_a_days_files_merge_once_writes_move_to_another_day(store):
    """An automatic compaction leaves the day being written alone and merges a day it added
    nothing to."""
    store.create_bucket("b")
    for k in range(3):
        store.write("b", f"m,h=a f={k} {T0 + k}")
        store.compact(full=False)
    assert len(parquet_files(store.path)) == 3
    store.write("b", f"m,h=a f=9 {T0 + DAY}")
    store.compact(full=False)
    parts = store.catalog.partitions(store.bucket("b").id)
    assert sorted((p.day, p.rows) for p in parts) == [(T0 // DAY, 3), (T0 // DAY + 1, 1)]
    got = store.scan("b")[FieldType.FLOAT].collect().sort("_time")
    assert got["_value"].to_list() == [0.0, 1.0, 2.0, 9.0]


def test_compaction_folds_the_write_ahead_log_away(store):
    """Hot rows wait in DuckDB's write-ahead log (no checkpoint copies them into the database
    file); compaction, which deletes them, checkpoints so the log does not grow."""
    wal = store.path / "catalog.duckdb.wal"
    store.create_bucket("b")
    store.write("b", "\n".join(f"m,h=h{i % 7} f={i} {T0 + i}" for i in range(5000)))
    store.flush()  # from the store's own write log into the hot table
    assert (store.path / "writes.log").stat().st_size == 0
    assert wal.exists() and wal.stat().st_size > 5000 * 8
    store.compact()
    assert not wal.exists() or wal.stat().st_size == 0
    assert store.scan("b")[FieldType.FLOAT].collect().height == 5000


def test_a_data_directory_with_a_quote_in_its_path_merges_its_days(tmp_path):
    with Store(tmp_path / "it's data") as store:
        store.create_bucket("b")
        for k in range(2):
            store.write("b", f"m,h=a f={k} {T0 + k}")
            store.compact(full=False)
        store.compact()
        (part,) = store.catalog.partitions(store.bucket("b").id)
        assert part.rows == 2
        got = store.scan("b")[FieldType.FLOAT].collect()
        assert got["_value"].to_list() == [0.0, 1.0]


def _rows_with_tags() -> pl.DataFrame:
    return pl.DataFrame({"a": ["x", None, "x", "y", None, "x"],
                         "b": ["2", "1", "1", None, "1", "2"]})


def test_rows_are_ranked_by_their_tag_values_nulls_last():
    from storage.compaction import _series_ranks_of_rows

    ranks, sets = _series_ranks_of_rows(_rows_with_tags(), ["a", "b"])
    # sets in tag order: (x,1) (x,2) (y,None) (None,1)
    assert ranks.to_list() == [1, 3, 0, 2, 3, 1]
    assert sets.rows() == [("x", "1"), ("x", "2"), ("y", None), (None, "1")]


def test_two_tag_sets_sharing_a_hash_are_still_told_apart(monkeypatch):
    """Should two tag sets hash alike, the rows' tags disagree with their hash's set: the
    ranks come from a join on the tag strings instead, the same as without the clash."""
    from storage.compaction import _series_ranks_of_rows

    monkeypatch.setattr(pl.Expr, "hash", lambda self, *a, **k: pl.lit(7, pl.UInt64))
    ranks, sets = _series_ranks_of_rows(_rows_with_tags(), ["a", "b"])
    assert ranks.to_list() == [1, 3, 0, 2, 3, 1]
    assert sets.rows() == [("x", "1"), ("x", "2"), ("y", None), (None, "1")]


def test_rows_reaching_back_into_the_last_file_merge_with_it_alone(store):
    """Requests of concurrent writers that came out of order around a compaction reach back
    into the day's last file only: it is merged with them, the earlier files stay."""
    store.create_bucket("b")
    lines = [f"m,h={'ab'[i % 2]} f={i} {T0 + i * HOUR // 2}" for i in range(24)]
    for start in (0, 8, 16):
        store.write("b", "\n".join(lines[start:start + 8]))
        store.compact(full=False)
    before = parquet_files(store.path)
    store.write("b", f"m,h=a f=100 {T0 + 18 * HOUR // 2}\nm,h=b f=99 {T0 + 30 * HOUR // 2}")
    store.compact(full=False)
    after = parquet_files(store.path)
    assert len(after) == 3
    kept = [p for p in before if p in after]
    assert len(kept) == 2  # the two earlier files, untouched
    parts = store.catalog.partitions(store.bucket("b").id)
    assert [p.rows for p in parts] == [8, 8, 9]
    got = store.scan("b")[FieldType.FLOAT].collect().sort("h", "_time")
    assert got["_value"].to_list() == [
        *(100.0 if i == 18 else float(i) for i in range(0, 24, 2)),
        *map(float, range(1, 24, 2)), 99.0]


@pytest.mark.parametrize("bend", ["none", "late point", "point written twice",
                                  "requests interleaved", "interleaved and written twice"])
def test_rows_come_out_by_series_then_time_whichever_way_they_are_sorted(bend):
    """Rows of each series in time order take the sort of the ranks alone; a late point,
    one written twice or two writers' requests taken out of time order, the keys' sort of the
    runs that leaves: all give tag order (nulls last), then time, the newest value of a point
    written twice, and the series number of its tag set."""
    from storage.compaction import _sorted_by_series

    tags = [("b", "x"), ("a", None), ("a", "y"), (None, "x")]
    rows = [(T0 + i * 10, a, b, float(i), i) for i in range(6) for a, b in tags]
    if bend == "late point":
        rows.append((T0 + 1, "a", "y", 99.0, len(rows)))
    elif bend == "point written twice":
        rows.append((T0 + 20, "b", "x", -1.0, len(rows)))
    elif "interleaved" in bend:
        # the later request's rows (times 30-50) logged before the earlier one's (0-20)
        rows = rows[12:] + rows[:12]
        if bend.endswith("twice"):
            rows.append((T0 + 40, "a", None, -2.0, len(rows)))
    frame = pl.DataFrame(rows, schema=["time", "t1", "t2", "f1", "seq"], orient="row")
    day = T0 // DAY
    got = _sorted_by_series(frame, ["t1", "t2"], day, ["f1"])
    want = (frame.sort("seq").group_by(["t1", "t2", "time"], maintain_order=True).last()
            .sort(["t1", "t2", "time"], nulls_last=True))
    assert got.select("time", "t1", "t2", "f1").rows() == want.select(
        "time", "t1", "t2", "f1").rows()
    ranks = {("a", "y"): 0, ("a", None): 1, ("b", "x"): 2, (None, "x"): 3}
    assert got["series"].to_list() == [(day << 32) + ranks[(a, b)]
                                       for a, b in got.select("t1", "t2").rows()]
