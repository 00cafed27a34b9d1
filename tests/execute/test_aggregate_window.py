"""aggregateWindow: fn per window, one row per window, the range bounds back in the key; the
column layout of the path upstream (or InfluxDB's storage) takes."""

from __future__ import annotations

import random

import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.flux.values import Time

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:30Z, stop: 2024-01-01T00:05:00Z)'
CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
STORAGE = ["_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]
NATIVE = ["_time", "_start", "_stop", "_field", "_measurement", "host", "_value"]
GENERIC = ["_start", "_stop", "_field", "_measurement", "host", "_value", "_time"]


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1 {T0}", f"cpu,host=a usage=2 {T0 + 40 * SEC}",
        f"cpu,host=a usage=3 {T0 + 80 * SEC}", f"cpu,host=a usage=4 {T0 + 130 * SEC}",
        f"cpu,host=a usage=5 {T0 + 290 * SEC}", f"cpu,host=b usage=10 {T0 + 20 * SEC}",
        f"cpu,host=b usage=20 {T0 + 210 * SEC}", f'log,host=a msg="x" {T0 + 40 * SEC}',
    ])


def at(seconds: int) -> Time:
    return Time(T0 + seconds * SEC)


def both(engine, flux):
    """(key record, columns, _time ns list, _value list) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key_record(), t.frame.columns,
                                          t.frame["_time"].dt.epoch("ns").to_list(),
                                          t.frame["_value"].to_list()))


def times(*seconds):
    return [T0 + s * SEC for s in seconds]


def test_mean_on_a_storage_read_is_storage_computed(engine):
    (a, b) = both(engine, CPU + " |> aggregateWindow(every: 2m, fn: mean)")
    assert a[1] == STORAGE
    assert (a[0]["_start"], a[0]["_stop"]) == (at(30), at(300))
    assert a[2:] == (times(120, 240, 300), [2.5, 4.0, 5.0])
    assert b[2:] == (times(120, 240, 300), [None, 20.0, None])


def test_count_fills_empty_windows_with_zero(engine):
    (_, b) = both(engine, CPU + " |> aggregateWindow(every: 2m, fn: count)")
    assert b[3] == [0, 1, 0]


def test_create_empty_false_leaves_empty_windows_out(engine):
    (_, b) = both(engine, CPU + " |> aggregateWindow(every: 2m, fn: sum, createEmpty: false)")
    assert b[2:] == (times(240), [20.0])


def test_go_aggregate_window_layout_off_storage(engine):
    (a, _) = both(engine, CPU + ' |> set(key: "x", value: "y")'
                                " |> aggregateWindow(every: 2m, fn: mean)")
    assert a[1] == NATIVE
    assert a[3] == [2.5, 4.0, 5.0]


def test_a_window_storage_cannot_compute_takes_the_go_path(engine):
    (a, _) = both(engine, CPU + " |> aggregateWindow(every: 1m, period: 2m, fn: mean,"
                                " createEmpty: false)")
    assert a[1] == NATIVE
    # [0:30,1:00) [0:30,2:00) [1:00,3:00) [2:00,4:00) [3:00,5:00) [4:00,5:00)
    assert a[2:] == (times(60, 120, 180, 240, 300, 300), [2.0, 2.5, 3.5, 4.0, 5.0, 5.0])


def test_time_from_window_start(engine):
    (a, b) = both(engine, CPU + ' |> aggregateWindow(every: 2m, fn: sum, timeSrc: "_start")')
    assert a[2] == times(30, 120, 240)
    assert b[3] == [None, 20.0, None]


def test_other_aggregates_go_through_window_and_duplicate(engine):
    (a, b) = both(engine, CPU + " |> aggregateWindow(every: 2m, fn: spread)")
    assert a[1] == GENERIC
    assert a[2:] == (times(120, 240, 300), [1.0, 0.0, 0.0])
    assert b[3] == [None, 0.0, None]


def test_selectors_keep_the_row_with_time_overwritten(engine):
    (a, b) = both(engine, CPU + " |> aggregateWindow(every: 2m, fn: first)")
    assert a[1] == STORAGE
    assert a[2:] == (times(120, 240, 300), [2.0, 4.0, 5.0])
    assert b[2:] == (times(120, 240, 300), [None, 20.0, None])
    assert b[0]["host"] == "b"


def test_custom_function_with_its_own_pipe_name(engine):
    (a, _) = both(engine, CPU + " |> aggregateWindow(every: 2m,"
                                " fn: (column, t=<-) => t |> max(column: column))")
    assert a[3] == [3.0, 4.0, 5.0]


def test_custom_function_keeping_every_row(engine):
    (_, b) = both(engine, CPU + " |> aggregateWindow(every: 2m, createEmpty: false,"
                                ' fn: (column, tables=<-) => tables |> set(key: "s", value: "x"))')
    assert b[2:] == (times(240), [20.0])


def test_another_column(engine):
    result = engine.query(CPU + ' |> duplicate(column: "_value", as: "v")'
                                ' |> aggregateWindow(every: 2m, fn: mean, column: "v")')
    a = result["_result"][0]
    assert a.frame.columns == ["_time", "_start", "_stop", "_field", "_measurement", "host", "v"]
    assert a.frame["v"].to_list() == [2.5, 4.0, 5.0]


def test_month_windows(engine):
    engine.write("b", "\n".join(f"m v={i}i {s * SEC}" for i, s in enumerate(
        [1706742000, 1706745600, 1709208000, 1710460800], 1)) + "\n")
    ((key, _, ts, values),) = both(engine, 'from(bucket: "b") |> range(start: 2024-01-15T00:00:00Z,'
                                           ' stop: 2024-03-20T00:00:00Z) |> aggregateWindow('
                                           "every: 1mo, fn: sum)")
    assert ts == [1706745600 * SEC, 1709251200 * SEC, 1710892800 * SEC]
    assert values == [1, 5, 4]


def test_float_sums_add_one_value_after_another(engine):
    rng = random.Random(3)
    values = [rng.random() * 1000 for _ in range(300)]
    engine.write("b", "\n".join(f"f v={v!r} {T0 + i * SEC}" for i, v in enumerate(values)) + "\n")
    flux = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
            ' |> filter(fn: (r) => r._measurement == "f")')
    total = 0.0
    for v in values:
        total += v
    (row,) = both(engine, flux + " |> aggregateWindow(every: 1h, fn: sum)")
    assert row[3] == [total]
    (row,) = both(engine, flux + " |> aggregateWindow(every: 1h, fn: mean)")
    assert row[3] == [total / 300]


@pytest.mark.parametrize("call, message", [
    ('filter(fn: (r) => r._measurement == "log") |> aggregateWindow(every: 1m, fn: sum)',
     "unsupported input type for sum aggregate: string"),
    ('filter(fn: (r) => r._measurement == "log") |> set(key: "x", value: "y")'
     " |> aggregateWindow(every: 1m, fn: mean)", "unsupported aggregate column type string"),
    ('aggregateWindow(every: 1m, fn: mean, column: "host")',
     "cannot aggregate columns that are part of the group key"),
    ('aggregateWindow(every: 1m, fn: mean, column: "nope")', 'column "nope" does not exist'),
    ("aggregateWindow(every: 1m, fn: 1)", "fn must be a function"),
    ("aggregateWindow(every: 1m, fn: (column) => 1)", "fn must be a function taking piped"),
    ("aggregateWindow(every: 1m, fn: (column, tables=<-) => 1)", "fn must return a stream"),
    ("aggregateWindow(every: 1mo1h, fn: mean)", "cannot mix month and nanosecond units"),
    ("aggregateWindow(fn: mean)", "missing required argument 'every'"),
])
def test_errors(engine, call, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(RANGE + " |> " + call)


def test_tables_whose_rows_all_fall_in_gaps_still_get_their_windows(engine):
    # every 2m, period 30s: windows [2:00,2:30) and [4:00,4:30) hold no row of host b
    (a, b) = both(engine, CPU + " |> aggregateWindow(every: 2m, period: 30s, fn: last)")
    assert a[2:] == (times(150, 270), [4.0, None])
    assert b[2:] == (times(150, 270), [None, None])


def test_windows_whose_values_are_all_null_are_filled(engine):
    flux = (CPU + " |> aggregateWindow(every: 1m, fn: mean)"
            " |> aggregateWindow(every: 2m, fn: max)")
    (_, b) = both(engine, flux)
    # b's means at 1:00..5:00 are [null, null, null, 20, null]; 4:00 and 5:00 (the range's
    # stop, outside it, but in the window [4:00, 6:00) clipped to [4:00, 5:00)) share a window
    assert b[2:] == (times(120, 240, 300), [None, None, 20.0])


def test_rows_outside_the_range_make_windows_but_add_nothing(engine):
    # b's counts per minute have _time 1:00..5:00; 5:00 is the range's stop: its window
    # [5:00, 6:00) misses the range, so (upstream's Intersect) it stands for the whole range
    flux = (RANGE.replace("00:00:30", "00:00:00") + ' |> filter(fn: (r) => r.host == "b")'
            " |> aggregateWindow(every: 1m, fn: count)")
    (b,) = both(engine, flux + " |> aggregateWindow(every: 1m, fn: sum, createEmpty: false)")
    assert b[2:] == (times(120, 180, 240, 300, 300), [1, 0, 0, 1, 2])
    (b,) = both(engine, flux + " |> aggregateWindow(every: 1m, fn: sum)")
    assert b[2:] == (times(60, 120, 180, 240, 300), [None, 1, 0, 0, 1])


@pytest.mark.parametrize("fn", ["mean", "sum", "count"])
@pytest.mark.parametrize("every, windows", [("12h", 6), ("2d", 2)])
def test_compacted_series_over_several_days_are_one_table_each(engine, fn, every, windows):
    """Each day's Parquet file numbers its series on its own: a series read from two files is
    two runs of one table, and tables of the same number on two days are not one table."""
    rng = random.Random(5)
    day = 86_400
    lines = [f"m,host=h{h},dc=d{h % 2} v={rng.random() * 100!r} {T0 + (d * day + s) * SEC}"
             for d in range(3) for h in range(4) for s in range(0, day, 3 * 3600)
             if (h + d) % 3 or s % 2]  # host 0 misses a day: numbers shift between days
    engine.write("b", "\n".join(lines) + "\n")
    engine.compact()
    flux = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-04T00:00:00Z)'
            f' |> filter(fn: (r) => r._measurement == "m")'
            f" |> aggregateWindow(every: {every}, fn: {fn})")
    tables = both(engine, flux)
    assert [(t[0]["dc"], t[0]["host"]) for t in tables] == [
        ("d0", "h0"), ("d0", "h2"), ("d1", "h1"), ("d1", "h3")]
    for key, _, stamps, values in tables:
        assert len(stamps) == windows and stamps == sorted(stamps)
        rows = [float(line.split("v=")[1].split()[0]) for line in lines
                if f"host={key['host']}," in line]
        if fn == "count":
            assert sum(values) == len(rows)
        elif fn == "sum":
            assert sum(v for v in values if v is not None) == pytest.approx(sum(rows))


@pytest.mark.parametrize("fn", ["max", "min", "first", "last"])
@pytest.mark.parametrize("create_empty", ["true", "false"])
@pytest.mark.parametrize("time_src", ["_stop", "_start"])
@pytest.mark.parametrize("compact", [False, True])
def test_selectors_on_storage_are_pushed_with_the_plain_plans_tables(engine, fn, create_empty,
                                                                     time_src, compact):
    if compact:
        engine.compact()
    flux = (CPU + f' |> aggregateWindow(every: 1m, fn: {fn}, createEmpty: {create_empty},'
                  f' timeSrc: "{time_src}")')
    assert f"StorageWindowAggregate(fn={fn}" in engine.explain(flux)
    tables = both(engine, flux)
    assert [t[0]["host"] for t in tables] == ["a", "b"] and tables[0][1] == STORAGE
    if create_empty == "false":  # host a in range: 2 at 40 s, 3 at 80, 4 at 130, 5 at 290
        assert tables[0][3] == [2.0, 3.0, 4.0, 5.0]
    else:
        assert len(tables[0][3]) == 5 and None in tables[0][3]


def test_a_selector_of_strings_is_pushed_where_it_takes_them(engine):
    log = RANGE + ' |> filter(fn: (r) => r._measurement == "log")'
    (row,) = both(engine, log + " |> aggregateWindow(every: 1m, fn: last, createEmpty: false)")
    assert row[3] == ["x"]
    with pytest.raises(FluxRuntimeError):
        engine.query(log + " |> aggregateWindow(every: 1m, fn: max)")


@pytest.mark.parametrize("fn", ["mean", "sum", "count", "max", "last"])
def test_a_one_file_read_windowed_in_batches_of_whole_series(engine, monkeypatch, fn):
    """Batches of about 5 rows (memory holds a batch, not the range), each ending where a
    series does: series longer than a batch, fields missing from some points, the same
    tables as the plain plan."""
    import tsengine.execute.aggregate_read as aggregate_read

    rng = random.Random(7)
    lines = [f"m,host=h{h} v={rng.random() * 10!r}{f',w={k}i' if (h + k) % 3 else ''} "
             f"{T0 + k * 30 * SEC}" for h in range(6) for k in range(h * 2 + 1)]
    engine.write("b", "\n".join(lines) + "\n")
    engine.compact()
    monkeypatch.setattr(aggregate_read, "BATCH_ROWS", 5)
    batches = []
    window_batch = aggregate_read._window_batch
    monkeypatch.setattr(aggregate_read, "_window_batch",
                        lambda ctx, w, rows, *a: batches.append(
                            rows.get_column(w.SERIES_COLUMN).unique().len())
                        or window_batch(ctx, w, rows, *a))
    flux = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
            f' |> filter(fn: (r) => r._measurement == "m") |> aggregateWindow(every: 1m, fn: {fn})')
    tables = both(engine, flux)
    assert len(batches) > 2 and sum(batches) == 6  # each series in one batch
    assert sorted({(t[0]["host"], t[0]["_field"]) for t in tables}) == sorted(
        {(f"h{h}", f) for h in range(6) for f in "vw" if f == "v" or h > 0})


def test_the_last_run_of_a_batch_is_found_from_its_tail():
    """run_batches cuts a batch where its last series run starts (looked for in a growing
    tail): the same place as the change positions of the whole column, chunked or not."""
    import numpy as np
    import polars as pl

    from tsengine.execute import pertable
    from tsengine.execute.aggregate_read import _last_run_start

    rng = random.Random(3)
    for _ in range(300):
        runs = [rng.choice([1, 2, 3, 50, 20_000, 70_000]) for _ in range(rng.randint(1, 6))]
        numbers = np.repeat(np.arange(len(runs)) * 7, runs)
        half = len(numbers) // 2
        chunked = pl.concat([pl.Series(numbers[:half]), pl.Series(numbers[half:])],
                            rechunk=False)
        assert _last_run_start(chunked) == int(pertable.change_positions(
            pl.Series(numbers))[-1])
