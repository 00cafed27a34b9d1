"""Series numbers of a wide read stay distinct between files: each file numbers its series
from 0, so two files of one day would otherwise give one number to different series, and a
series ending one file and another starting the next would read as one run."""

from __future__ import annotations

from storage import WideRead

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 10**9


def _two_files_of_one_day(store):
    """Two compactions that append to the day (a user's full compaction would merge them)."""
    store.create_bucket("b")
    store.write("b", f"m,s=x v=1 {T0}\nm,s=x v=2 {T0 + SEC}\n")
    store.compact(full=False)
    store.write("b", f"m,s=w v=10 {T0 + 3 * SEC}\nm,s=x v=3 {T0 + 4 * SEC}\n")
    store.compact(full=False)
    assert len(store.catalog.partitions(store.bucket("b").id)) == 2


def test_runs_of_equal_numbers_are_one_series(store):
    _two_files_of_one_day(store)
    (wide,) = store.scan_wide("b", T0, T0 + 10 * SEC)
    rows = wide.frame.collect()
    assert wide.numbered and not wide.one_file
    numbers = rows.get_column(WideRead.SERIES_COLUMN).to_list()
    series = rows.get_column("s").to_list()
    assert series == ["x", "x", "w", "x"]
    # a change of series is a change of number, and the second file's x is a run of its own
    assert [a != b for a, b in zip(numbers, numbers[1:], strict=False)] == [False, True, True]


def test_a_pushed_window_aggregate_keeps_the_series_apart(engine):
    _two_files_of_one_day(engine.store)
    flux = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:01:00Z)'
            ' |> aggregateWindow(every: 1m, fn: sum)')
    assert "StorageWindowAggregate" in engine.explain(flux)
    tables = engine.query(flux)["_result"]
    assert [(t.key_record()["s"], t.frame["_value"].to_list()) for t in tables] == [
        ("w", [10.0]), ("x", [6.0])]
