"""Pushdown is real: partitions outside the range or measurement are never opened, and only the
columns of the requested fields and tags are read from Parquet."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

from storage import FieldType, Not, Or, Regex, Store, eq
from storage.timeutil import DAY, HOUR

D0 = 1703980800000000000  # 2023-12-31T00:00:00Z
DAYS = [D0, D0 + DAY, D0 + 2 * DAY]  # 2023-12-31, 2024-01-01, 2024-01-02 (the fixture's now)


def _fill(store: Store) -> dict[tuple[str, int], str]:
    """Two measurements on three days, compacted: {(measurement, day index): parquet path}."""
    store.create_bucket("b")
    lines = []
    for d, day in enumerate(DAYS):
        for h in range(3):
            t = day + h * HOUR
            lines.append(f"cpu,host=h{h},region=r{d} usage={d}.{h},idle={10 * d + h}i,"
                         f"note=\"n{d}{h}\" {t}")
            lines.append(f"mem,host=h{h} used={100 + d} {t}")
    assert store.write("b", "\n".join(lines)).written == 18
    store.compact()
    bucket = store.bucket("b")
    out = {}
    for p in store.catalog.partitions(bucket.id):
        m = next(m for m in store.catalog.measurements(bucket.id) if m.id == p.measurement_id)
        out[(m.name, DAYS.index(p.day * DAY))] = p.path
    assert len(out) == 6 and all(Path(p).exists() for p in out.values())
    return out


def _corrupt(paths) -> None:
    for p in paths:
        Path(p).write_bytes(b"this is not a parquet file" * 10)


def test_other_days_and_measurements_never_opened(store):
    files = _fill(store)
    keep = files[("cpu", 1)]
    _corrupt(p for k, p in files.items() if k != ("cpu", 1))
    start, stop = DAYS[1], DAYS[2]
    for pred in (eq("_measurement", "cpu"), Regex("_measurement", "^c"),
                 Not(eq("_measurement", "mem")), eq("region", "r1"),
                 Or((eq("_measurement", "cpu"), eq("_measurement", "disk")))):
        plan = store.plan_scan("b", start, stop, pred)
        assert plan.files == [keep]
        frame = store.scan("b", start, stop, pred)[FieldType.FLOAT].collect().sort("_time")
        assert frame["_value"].to_list() == [1.0, 1.1, 1.2]
        assert frame["_measurement"].to_list() == ["cpu"] * 3
    # a range that ends inside the day, or starts inside it, touches only that day too
    assert store.plan_scan("b", DAYS[1] + HOUR, DAYS[1] + 2 * HOUR,
                           eq("_measurement", "cpu")).files == [keep]
    assert store.plan_scan("b", DAYS[1] + 2 * HOUR, DAYS[2],
                           eq("_measurement", "cpu")).files == [keep]
    # the corruption is real: reading another partition fails
    with pytest.raises(Exception):  # noqa: B017 - polars raises its own ComputeError
        store.scan("b", DAYS[0], DAYS[1], eq("_measurement", "cpu"))[FieldType.FLOAT].collect()
    with pytest.raises(Exception):  # noqa: B017
        store.scan("b", start, stop, eq("_measurement", "mem"))[FieldType.FLOAT].collect()


def test_files_pruned_by_day_and_measurement(store):
    files = _fill(store)
    assert sorted(store.plan_scan("b").files) == sorted(files.values())
    assert store.plan_scan("b", DAYS[0], DAYS[0] + 1).files == [files[("cpu", 0)],
                                                                 files[("mem", 0)]]
    assert store.plan_scan("b", DAYS[1], DAYS[2] + 1, eq("_measurement", "mem")).files == [
        files[("mem", 1)], files[("mem", 2)]]
    assert store.plan_scan("b", DAYS[2] + 3 * HOUR, DAYS[2] + 4 * HOUR).files == []
    assert store.plan_scan("b", predicate=eq("_measurement", "nope")).files == []
    # a field only cpu has: mem is not read at all
    plan = store.plan_scan("b", predicate=eq("_field", "usage"))
    assert sorted(plan.files) == sorted(files[("cpu", d)] for d in range(3))
    assert [r.measurement.name for r in plan.reads] == ["cpu"]


def test_days_with_hot_rows_still_prune(store):
    files = _fill(store)
    store.write("b", f"cpu,host=h0,region=r1 usage=9.5 {DAYS[1]}")  # hot overwrite on day 1
    _corrupt(p for k, p in files.items() if k != ("cpu", 1))
    frame = store.scan("b", DAYS[1], DAYS[2], eq("_field", "usage"))[FieldType.FLOAT]
    assert sorted(frame.collect()["_value"].to_list()) == [1.1, 1.2, 9.5]


def test_columns_read_follow_fields_and_tags(store):
    _fill(store)
    plan = store.plan_scan("b", predicate=eq("_field", "usage"), columns=[])
    assert plan.columns_read() == {"cpu": {"usage"}}
    plan = store.plan_scan("b", predicate=eq("_field", "usage") & eq("host", "h1"), columns=[])
    assert plan.columns_read() == {"cpu": {"usage", "host"}}
    plan = store.plan_scan("b", predicate=eq("_field", "used"), columns=["host"])
    assert plan.columns_read() == {"mem": {"used", "host"}}
    plan = store.plan_scan("b", predicate=Regex("_field", "^(usage|idle)$"),
                           columns=["region"])
    assert plan.columns_read() == {"cpu": {"usage", "idle", "region"}}
    plan = store.plan_scan("b")
    assert plan.columns_read() == {"cpu": {"usage", "idle", "note", "host", "region"},
                                   "mem": {"used", "host"}}


def test_parquet_reader_asked_only_for_requested_columns(store, monkeypatch):
    files = _fill(store)
    cpu = store.catalog.measurement(store.bucket("b").id, "cpu")
    assert cpu is not None
    wanted = {"time", cpu.fields["usage"].col, cpu.tags["host"].col}
    # the files hold more than that
    on_disk = set(pq.read_schema(files[("cpu", 1)]).names)
    assert on_disk > wanted and len(on_disk - wanted) == 4  # other tag, fields, series

    asked: list[tuple[list[str], set[str]]] = []
    real = pl.scan_parquet

    def spy(source, *args, **kwargs):
        lf = real(source, *args, **kwargs)
        schema = kwargs.get("schema")
        asked.append((list(source), set(schema) if schema is not None else set(on_disk)))
        return lf

    monkeypatch.setattr(pl, "scan_parquet", spy)
    scan = store.scan("b", DAYS[1], DAYS[2], eq("_field", "usage") & eq("host", "h1"),
                      columns=[])
    lf = scan[FieldType.FLOAT]
    assert asked == [([files[("cpu", 1)]], wanted)]
    # the optimized plan projects those columns only
    plan = lf.explain()
    projected = re.findall(r"PROJECT (\S+)/(\d+) COLUMNS", plan)
    assert projected and all(int(total) == len(wanted) for _, total in projected), plan
    for other in on_disk - wanted:
        assert f'col("{other}")' not in plan
    frame = lf.collect()
    assert frame.columns == ["_time", "_measurement", "_field", "_value"]
    assert frame["_value"].to_list() == [1.1]


def test_reader_gets_nothing_beyond_the_columns_when_files_lack_newer_columns(store):
    """A column added after a file was written is filled with nulls, not an error."""
    store.create_bucket("b")
    store.write("b", f"m,h=a f=1 {DAYS[1]}")
    store.compact()
    store.write("b", f"m,h=a,z=new f=2,g=5i {DAYS[1] + 1}")
    store.compact()
    store.write("b", f"m,h=b f=3 {DAYS[2]}")
    store.compact()
    frame = store.scan("b", columns=["z"])[FieldType.FLOAT].collect().sort("_time")
    assert frame["z"].to_list() == [None, "new", None]
    assert frame["_value"].to_list() == [1.0, 2.0, 3.0]


def test_no_time_filter_where_the_range_holds_whole_files(store):
    """A file whose times (the catalog's min and max) lie inside the range is read with no
    filter: every row passes, and filtering would copy every column; a file the range cuts
    is filtered."""
    _fill(store)

    def read(start: int, stop: int) -> tuple[str, list[float]]:
        (wide,) = store.scan_wide("b", start, stop, eq("_field", "usage"))
        return wide.frame.explain(), sorted(wide.frame.collect()["f:usage"].to_list())

    by_time = 'col("time") >='  # the filter, pushed into the Parquet scan or not
    plan, values = read(DAYS[1], DAYS[2])  # the whole of day 1
    assert by_time not in plan and values == [1.0, 1.1, 1.2]
    plan, values = read(DAYS[1] + 1, DAYS[2])  # its first point left out
    assert by_time in plan and values == [1.1, 1.2]
    plan, values = read(DAYS[0], DAYS[1] + 2 * HOUR)  # day 0 whole, day 1 cut
    assert by_time in plan and values == [0.0, 0.1, 0.2, 1.0, 1.1]
