"""Delete with a predicate: both tiers, inclusive bounds, InfluxDB's predicate and its errors,
series without the tag, files rewritten only where rows match, and crash safety."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from storage import (
    DeleteByFieldUnsupported,
    DeletePredicateError,
    DeleteResult,
    FixedClock,
    Store,
    eq,
    format_segment,
    parse_delete_predicate,
)
from storage.catalog import Catalog
from storage.predicate import TRUE, And, Compare
from storage.timeutil import DAY, HOUR

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z, one day before the fixture clock
REPO = Path(__file__).resolve().parents[2]


def lines(store: Store, bucket: str = "b") -> list[str]:
    """Every point the bucket holds, as sorted line protocol."""
    return sorted(line for seg in store.segments(bucket) for line in format_segment(seg))


def parquet_files(store: Store) -> set[Path]:
    return set((store.path / "buckets").rglob("*.parquet"))


def pred(text: str):
    return parse_delete_predicate(text)


def _write_cpu(store: Store) -> None:
    """cpu for hosts a and b at T0 + 0..4 h, mem for host a: 10 + 5 points."""
    store.create_bucket("b")
    store.write("b", "\n".join(
        [f"cpu,host={h} usage={i}.5,n={i}i {T0 + i * HOUR}" for h in "ab" for i in range(5)]
        + [f"mem,host=a free={i}i {T0 + i * HOUR}" for i in range(5)]))


def test_hot_only(store):
    _write_cpu(store)
    result = store.delete("b", T0 + HOUR, T0 + 3 * HOUR, pred('_measurement="cpu" AND host="a"'))
    assert result == DeleteResult(points_deleted=3, files_rewritten=0)
    assert store.hot_rows() == 12
    left = lines(store)
    assert len(left) == 12
    assert not any(ln.startswith("cpu,host=a ") and f" {T0 + i * HOUR}" in ln
                   for ln in left for i in (1, 2, 3))
    assert f"cpu,host=a n=0i,usage=0.5 {T0}" in left
    assert f"cpu,host=a n=4i,usage=4.5 {T0 + 4 * HOUR}" in left


def test_parquet_only(store):
    _write_cpu(store)
    store.compact()
    before = parquet_files(store)
    assert len(before) == 2  # one file per measurement and day
    result = store.delete("b", T0 + HOUR, T0 + 3 * HOUR, pred('_measurement="cpu" AND host="a"'))
    assert result == DeleteResult(points_deleted=3, files_rewritten=1)
    after = parquet_files(store)
    assert len(after) == 2 and len(after & before) == 1  # cpu's file replaced, mem's kept
    assert store.reaper.pending == []  # the old file went with the grace period of 0
    assert len(lines(store)) == 12
    assert store.hot_rows() == 0
    # the rewritten partition is still sorted by series then time and read as before
    (n,) = store.scan("b", predicate=eq("_measurement", "cpu") & eq("_field", "n")).values()
    assert n.collect().filter(pl.col("host") == "a")["_value"].to_list() == [0, 4]


def test_both_tiers_in_one_delete(store):
    _write_cpu(store)
    store.compact()
    # hot rows: one overwriting a cold point, one new, one twice the same new point
    store.write("b", f"cpu,host=a usage=9 {T0 + 2 * HOUR}\n"
                     f"cpu,host=a usage=8 {T0 + 90 * 60 * 10**9}\n"
                     f"cpu,host=a n=7i {T0 + 90 * 60 * 10**9}\n"
                     f"cpu,host=b usage=1 {T0 + 2 * HOUR}")
    result = store.delete("b", T0 + HOUR, T0 + 3 * HOUR, pred('host="a" AND _measurement="cpu"'))
    # a at 1h, 1.5h, 2h, 3h: each point once, though 2h and 1.5h are held more than once
    assert result == DeleteResult(points_deleted=4, files_rewritten=1)
    assert store.hot_rows() == 1  # only host b's
    left = lines(store)
    assert f"cpu,host=b n=2i,usage=1.0 {T0 + 2 * HOUR}" in left
    assert not any(ln.startswith("cpu,host=a ") and T0 + HOUR <= int(ln.split()[-1])
                   <= T0 + 3 * HOUR for ln in left)


@pytest.mark.parametrize("compact", [False, True], ids=["hot", "parquet"])
def test_range_is_inclusive_at_both_ends(store, compact):
    store.create_bucket("b")
    store.write("b", "\n".join(f"m v={i} {T0 + i}" for i in range(10)))
    if compact:
        store.compact()
    result = store.delete("b", T0 + 3, T0 + 6)
    assert result.points_deleted == 4
    assert [int(ln.split()[-1]) - T0 for ln in lines(store)] == [0, 1, 2, 7, 8, 9]


def test_range_across_days_rewrites_each_overlapping_day(store):
    store.create_bucket("b")
    store.write("b", "\n".join(f"m,h=x v={d} {T0 + d * DAY + HOUR}" for d in range(-3, 1)))
    store.compact()
    assert len(parquet_files(store)) == 4
    result = store.delete("b", T0 - 2 * DAY, T0 - DAY + HOUR)
    assert result == DeleteResult(points_deleted=2, files_rewritten=2)
    assert len(parquet_files(store)) == 2  # both emptied partitions dropped, no new file
    assert [int(ln.split()[-1]) for ln in lines(store)] == [T0 - 3 * DAY + HOUR, T0 + HOUR]


def test_start_after_stop_deletes_nothing(store):
    _write_cpu(store)
    assert store.delete("b", T0 + HOUR, T0) == DeleteResult(0, 0)
    assert len(lines(store)) == 15


def test_unbounded_range_and_no_predicate_deletes_everything(store):
    _write_cpu(store)
    store.compact()
    store.write("b", f"cpu,host=c usage=1 {T0}")
    assert store.delete("b", None, None) == DeleteResult(16, 2)
    assert lines(store) == [] and parquet_files(store) == set()
    store.write("b", f"cpu,host=c usage=1 {T0}")  # the bucket and its schema still work
    assert len(lines(store)) == 1


def test_tag_predicate_equal_and_not_equal(store):
    _write_cpu(store)
    store.compact()
    assert store.delete("b", T0, T0 + DAY, pred('host!="a"')).points_deleted == 5
    left = lines(store)
    assert len(left) == 10 and all(",host=a " in ln for ln in left)
    assert store.delete("b", T0, T0 + DAY, pred('host="a"')).points_deleted == 10
    assert lines(store) == []


def test_measurement_predicate(store):
    _write_cpu(store)
    store.compact()
    mem_file = {p for p in parquet_files(store) if "/2/" in str(p)}  # mem is measurement 2
    result = store.delete("b", T0, T0 + DAY, pred('_measurement="cpu"'))
    assert result == DeleteResult(10, 1)
    assert all(ln.startswith("mem,") for ln in lines(store))
    assert mem_file <= parquet_files(store)  # untouched
    assert store.delete("b", T0, T0 + DAY, pred('_measurement!="mem"')) == DeleteResult(0, 0)


def test_series_without_the_tag_never_match(store):
    """As InfluxDB: a comparison on a tag the series lacks is false, `=` and `!=` alike."""
    store.create_bucket("b")
    store.write("b", f"cpu,host=a v=1 {T0}\ncpu v=2 {T0}\nmem v=3 {T0}")
    store.compact()  # this file predates the `dc` tag
    store.write("b", f"cpu,host=a,dc=x v=4 {T0 + 1}\ncpu v=5 {T0 + 1}")
    assert store.delete("b", T0, T0 + 1, pred('host!="b"')).points_deleted == 2
    assert lines(store) == [f"cpu v=2.0 {T0}", f"cpu v=5.0 {T0 + 1}", f"mem v=3.0 {T0}"]
    assert store.delete("b", T0, T0 + 1, pred('dc!="y"')) == DeleteResult(0, 0)
    assert store.delete("b", T0, T0 + 1, pred('nosuchtag!="y"')) == DeleteResult(0, 0)


def test_field_not_equal_deletes_nothing(store):
    """`_field` is no tag of a series: `!=` on it matches nothing (`=` is refused)."""
    _write_cpu(store)
    assert store.delete("b", T0, T0 + DAY, pred('_field!="usage"')) == DeleteResult(0, 0)
    with pytest.raises(DeleteByFieldUnsupported, match="delete by field is not supported"):
        pred('_measurement="cpu" AND _field="usage"')


def test_deleting_nothing_rewrites_nothing(store):
    _write_cpu(store)
    store.compact()
    files = {p: p.stat().st_mtime_ns for p in parquet_files(store)}
    for text in ('host="zzz"', '_measurement="nope"', 'host="a" AND host="b"'):
        assert store.delete("b", T0, T0 + DAY, pred(text)) == DeleteResult(0, 0)
    assert store.delete("b", T0 + 10 * DAY, T0 + 11 * DAY) == DeleteResult(0, 0)
    assert {p: p.stat().st_mtime_ns for p in parquet_files(store)} == files


def test_crash_before_the_manifest_swap_leaves_the_old_state(store, monkeypatch):
    _write_cpu(store)
    store.compact()
    store.write("b", f"cpu,host=a usage=1 {T0 + HOUR}")
    before, files, hot = lines(store), parquet_files(store), store.hot_rows()
    written: list[str] = []

    def crash(self, old, new):
        written.append(new.path)
        assert Path(new.path).exists()  # the new file is whole, under its final name
        raise RuntimeError("crash between the new file and the manifest swap")

    monkeypatch.setattr(Catalog, "replace_partition", crash)
    with pytest.raises(RuntimeError, match="crash"):
        store.delete("b", T0, T0 + DAY, pred('host="a"'))
    monkeypatch.undo()
    assert written and not any(Path(p).exists() for p in written)
    assert lines(store) == before and parquet_files(store) == files
    assert store.hot_rows() == hot
    assert store.delete("b", T0, T0 + DAY, pred('host="a"')).points_deleted == 10


CRASH = """
import os, sys
from storage import FixedClock, Store, parse_delete_predicate
from storage.catalog import Catalog
def die(self, old, new):
    os._exit(3)  # the process dies: no cleanup, no rollback
Catalog.replace_partition = die
with Store.open(sys.argv[1], clock=FixedClock(int(sys.argv[2]))) as store:
    store.delete("b", None, None, parse_delete_predicate('host="a"'))
"""


def test_killed_process_leaves_the_old_state_and_an_orphan_removed_at_open(tmp_path):
    root = tmp_path / "data"
    with Store.open(root, clock=FixedClock(T0 + DAY)) as store:
        _write_cpu(store)
        store.compact()
        store.write("b", f"cpu,host=a usage=1 {T0 + HOUR}")
        before, files = lines(store), parquet_files(store)
    proc = subprocess.run([sys.executable, "-c", CRASH, str(root), str(T0 + DAY)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3, proc.stderr
    with Store.open(root, clock=FixedClock(T0 + DAY)) as store:
        assert lines(store) == before and parquet_files(store) == files  # orphan removed
        assert store.delete("b", None, None, pred('host="a"')).points_deleted == 10


def test_engine_delete_takes_rfc3339_and_a_predicate_string(engine):
    engine.create_bucket("b")
    engine.write("b", f"cpu,host=a v=1 {T0}\ncpu,host=a v=2 {T0 + HOUR}\ncpu,host=b v=3 {T0}")
    result = engine.delete("b", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 'host="a"')
    assert result == DeleteResult(1, 0)
    assert engine.export("b") == f"cpu,host=a v=2.0 {T0 + HOUR}\ncpu,host=b v=3.0 {T0}\n"
    with pytest.raises(DeletePredicateError, match="OR is not supported"):
        engine.delete("b", None, None, 'host="a" OR host="b"')
    assert engine.delete("b", None, None).points_deleted == 2


# -- the predicate parser (cases and wording from InfluxDB's predicate/parser_test.go) ----------

@pytest.mark.parametrize("text, expected", [
    ("abc=opq", Compare("abc", "==", "opq")),
    ('abc=opq and gender="male"',
     And((Compare("abc", "==", "opq"), Compare("gender", "==", "male")))),
    ('               abc="opq" AND gender="male" AND temp=1123',
     And((And((Compare("abc", "==", "opq"), Compare("gender", "==", "male"))),
          Compare("temp", "==", "1123")))),
    ('           abc   =         "opq"', Compare("abc", "==", "opq")),
    ("abc=0x1231", Compare("abc", "==", "0x1231")),
    ("abc=2d", Compare("abc", "==", "2d")),
    ("abc=-5i", Compare("abc", "==", "-5i")),
    ("abc= -1221", Compare("abc", "==", "-1221")),
    (' abc != "opq"', Compare("abc", "!=", "opq")),
    ("abc=true", Compare("abc", "==", "true")),
    ('_measurement="cpu" AND "host name"="a \\"b\\""',
     And((Compare("_measurement", "==", "cpu"), Compare("host name", "==", 'a "b"')))),
    ('(t1="v1" and t2="v2") and (t3=v3)',
     And((And((Compare("t1", "==", "v1"), Compare("t2", "==", "v2"))),
          Compare("t3", "==", "v3")))),
    ("", TRUE),
    ("   ", TRUE),
])
def test_parse(text, expected):
    assert parse_delete_predicate(text) == expected


@pytest.mark.parametrize("text, message", [
    (' abc="opq" Or gender="male" OR temp=1123',
     "the logical operator OR is not supported yet at position 11"),
    (' (t1="v1" and t2="v2") and (', "extra ( seen"),
    (' (t1="v1" and t2="v2"))', "extra ) seen"),
    ("abc!~/^payments\\./", 'operator: "!~" at position: 3 is not supported yet'),
    ("abc=~/^payments\\./", 'operator: "=~" at position: 3 is not supported yet'),
    ("abc>1000", 'invalid operator ">" at position: 3'),
    ('a="b" c="d"', "the logical operator 0 is invalid"),
    ('(a="b" c="d") AND e="f"', "Err in Child 0, err: the logical operator 0 is invalid"),
    ("host=", 'bad tag value: "", at position 5'),
    ("host='a'", 'bad tag value: "a", at position 4'),
    ("host", 'invalid operator "EOF" at position: 5'),
    ('host="a" AND', None),  # a trailing AND is accepted
    ('host="a" AND b="c" AND', "bad tag key, at position 23"),  # InfluxQL's end, one further
    ('select="x"', "bad logical expression, at position 0"),
])
def test_parse_errors_as_influxdb_words_them(text, message):
    if message is None:
        assert parse_delete_predicate(text) == Compare("host", "==", "a")
        return
    with pytest.raises(DeletePredicateError) as info:
        parse_delete_predicate(text)
    assert str(info.value) == message
