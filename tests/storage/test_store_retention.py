"""Retention enforcement with an explicit now: expired hot rows deleted, wholly expired
partitions dropped with their files, partly expired partitions kept but hidden."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from storage import FieldType, Store
from storage.timeutil import DAY, HOUR, parse_time

D31 = parse_time("2023-12-31T00:00:00Z")
D01 = parse_time("2024-01-01T00:00:00Z")


def values(store: Store, bucket: str = "b") -> list[float]:
    scan = store.scan(bucket)
    if FieldType.FLOAT not in scan:
        return []
    return scan[FieldType.FLOAT].collect().sort("_time")["_value"].to_list()


def _setup(store: Store) -> dict[int, str]:
    """Bucket `b` (2d) with cold points on 2023-12-31 and 2024-01-01, and two hot rows."""
    store.create_bucket("b", retention="2d")  # clock: 2024-01-02, cutoff 2023-12-31T00:00
    result = store.write("b", f"m f=1 {D31 + HOUR}\nm f=2 {D31 + 12 * HOUR}\n"
                              f"m f=3 {D01 + 6 * HOUR}\nm f=4 {D01 + 18 * HOUR}")
    assert result.written == 4
    store.compact()
    store.write("b", f"m f=5 {D31 + 2 * HOUR}\nm f=6 {D01 + 7 * HOUR}\nm f=7 {D01 + 13 * HOUR}")
    assert store.hot_rows() == 3
    bucket = store.bucket("b")
    return {p.day: p.path for p in store.catalog.partitions(bucket.id)}


def test_enforce_with_explicit_now(store, clock):
    files = _setup(store)
    assert set(files) == {D31 // DAY, D01 // DAY}
    assert values(store) == [1.0, 5.0, 2.0, 3.0, 6.0, 7.0, 4.0]
    enforce_at = parse_time("2024-01-03T12:00:00Z")  # cutoff 2024-01-01T12:00
    result = store.enforce_retention(enforce_at)
    assert result.hot_rows_deleted == 2  # f=5 and f=6; f=7 (13:00) stays
    assert result.partitions_dropped == 1
    assert store.hot_rows() == 1
    assert not Path(files[D31 // DAY]).exists()  # the fixture's grace period is 0
    assert Path(files[D01 // DAY]).exists()  # partly expired: kept
    parts = store.catalog.partitions(store.bucket("b").id)
    assert [(p.day, p.rows) for p in parts] == [(D01 // DAY, 2)]
    # the clock still says 2024-01-02: what is left of the kept partition is visible
    assert values(store) == [3.0, 7.0, 4.0]
    # at the enforcement time, the expired part of the kept partition is hidden
    clock.set(enforce_at)
    assert values(store) == [7.0, 4.0]
    assert sum(s.points for s in store.stats("b")) == 2


def test_enforce_defaults_to_clock_and_is_idempotent(store, clock):
    _setup(store)
    clock.set(parse_time("2024-01-02T06:00:00Z"))  # cutoff 2023-12-31T06:00
    result = store.enforce_retention()
    assert result.hot_rows_deleted == 1 and result.partitions_dropped == 0
    assert values(store) == [2.0, 3.0, 6.0, 7.0, 4.0]
    again = store.enforce_retention()
    assert again.hot_rows_deleted == 0 and again.partitions_dropped == 0
    assert values(store) == [2.0, 3.0, 6.0, 7.0, 4.0]


def test_enforce_everything_expired(store, clock):
    files = _setup(store)
    result = store.enforce_retention(parse_time("2024-01-10T00:00:00Z"))
    assert result.hot_rows_deleted == 3 and result.partitions_dropped == 2
    assert not any(Path(p).exists() for p in files.values())
    assert store.hot_rows() == 0
    assert values(store) == []
    # the bucket and its schema survive: new points still have to match the field's type
    clock.set(parse_time("2024-01-10T00:00:00Z"))
    assert store.write("b", f"m f=1i {parse_time('2024-01-09T00:00:00Z')}").dropped


def test_enforce_leaves_forever_buckets_alone(store, clock):
    _setup(store)
    store.create_bucket("keep")
    store.write("keep", f"m f=1 {D31 - 300 * DAY}\nm f=2 {D01}")
    store.compact()
    store.write("keep", f"m f=3 {D31 - 400 * DAY}")
    result = store.enforce_retention(parse_time("2030-01-01T00:00:00Z"))
    # compact() above moved b's hot rows too: b loses its two days, keep nothing
    assert result.partitions_dropped == 2 and result.hot_rows_deleted == 0
    assert values(store, "keep") == [3.0, 1.0, 2.0]
    assert len(store.plan_scan("keep").files) == 2


def test_enforce_after_retention_shortened(store, clock):
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {D31}\nm,h=a f=2 {D01 + 23 * HOUR}")
    store.compact()
    store.update_bucket("b", retention="1h")
    assert values(store) == [2.0]  # clock 2024-01-02T00:00, cutoff 2024-01-01T23:00
    result = store.enforce_retention()
    assert result.partitions_dropped == 1
    store.update_bucket("b", retention="0")
    assert values(store) == [2.0]  # the dropped day is gone for good


def test_expired_rows_never_come_back_through_compaction(store, clock):
    """Compacting a day whose partition is partly expired must not resurrect what is hidden."""
    store.create_bucket("b", retention="1d")
    store.write("b", f"m f=1 {D01 + HOUR}\nm f=2 {D01 + 20 * HOUR}")
    store.compact()
    clock.set(D01 + DAY + 10 * HOUR)  # cutoff D01 + 10h: f=1 expired
    store.write("b", f"m f=3 {D01 + 21 * HOUR}")
    store.compact()
    assert values(store) == [2.0, 3.0]
    frame = store.scan("b")[FieldType.FLOAT].collect()
    assert frame["_time"].min() >= pl.Series([D01 + 10 * HOUR]).cast(
        pl.Datetime("ns", "UTC"))[0]
