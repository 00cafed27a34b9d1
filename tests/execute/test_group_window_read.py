"""`group(columns: tags) |> aggregateWindow(fn: count|sum|mean)` answered from the wide rows:
the same tables (keys, columns, types, values to the last digit) as the plain plan, over
several days' files, several fields and measurements, series lacking a tag, and hot rows."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from helpers import write_bucket

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 10**9
QUERY = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-03T00:00:00Z)'
         ' |> filter(fn: (r) => {filter}) |> group(columns: {columns})'
         ' |> aggregateWindow(every: {every}, fn: {fn}, createEmpty: {empty})')


def _lines(seed: int) -> list[str]:
    """Sensors over two days (so two files per measurement), values of many magnitudes so
    the order of the additions shows in the last digits; shared and jittered timestamps."""
    rng = random.Random(seed)
    lines = []
    for s in range(12):
        tags = f"sensor=s{s:02d},region=r{s % 3}" + ("" if s == 7 else f",site=x{s % 2}")
        for i in range(rng.randint(20, 60)):
            t = T0 + rng.choice([0, 1, 2]) * 43_200 * SEC + i * 600 * SEC + \
                rng.choice([0, 0, 0, 1, 7]) * SEC
            value = rng.uniform(-1, 1) * 10 ** rng.randint(-3, 6)
            lines.append(f"env,{tags} temp={value!r},hum={rng.randint(0, 100)}i {t}")
            if s % 4 == 0:
                lines.append(f"env,{tags} pres={rng.uniform(900, 1100)!r} {t}")
    for s in range(3):
        lines.append(f"other,region=r{s},site=x0 temp={rng.uniform(0, 9)!r} {T0 + s * SEC}")
    rng.shuffle(lines)
    return lines


def _tables(engine, flux, **kwargs):
    return [(t.key_record(), t.frame.columns, [str(d) for d in t.frame.dtypes],
             [repr(r) for r in t.frame.rows()])
            for t in engine.query(flux, **kwargs)["_result"]]


@pytest.fixture
def grid_answers(monkeypatch) -> list[bool]:
    """One entry per query the grid answered (slot_grid's sums were taken)."""
    from tsengine.execute import slot_grid

    answered: list[bool] = []
    result = slot_grid.GridSums.result
    monkeypatch.setattr(slot_grid.GridSums, "result",
                        lambda self: answered.append(True) or result(self))
    return answered


CASES = [
    ('r._measurement == "env" and r._field == "temp"', '["region"]', "1h", "mean", "false"),
    ('r._measurement == "env" and r._field == "temp"', '["region", "sensor"]', "3h", "sum",
     "true"),
    ('r._field == "temp"', '["region"]', "90m", "mean", "true"),  # two measurements
    ('r._measurement == "env" and r._field != "hum"', '["site"]', "1h", "mean", "false"),
    ('r._measurement == "env" and r._field != "hum"', "[]", "6h", "count", "true"),
    ('r._measurement == "env" and r._field == "hum"', '["region"]', "2h", "sum", "false"),
]


@pytest.mark.parametrize(("filter_", "columns", "every", "fn", "empty"), CASES)
def test_group_window_matches_the_plain_plan(engine, filter_, columns, every, fn, empty):
    write_bucket(engine, _lines(1))
    flux = QUERY.format(filter=filter_, columns=columns, every=every, fn=fn, empty=empty)
    hot = _tables(engine, flux)
    assert hot == _tables(engine, flux, disabled_rules=("all",))
    engine.compact()
    assert "StorageGroupWindow" in engine.explain(flux)
    compacted = _tables(engine, flux)
    assert compacted == _tables(engine, flux, disabled_rules=("all",))
    assert compacted == hot
    assert compacted and all(len(t[3]) for t in compacted)


def test_group_window_values(engine):
    write_bucket(engine, [f"m,g=a,s=1 v=0.1 {T0}", f"m,g=a,s=2 v=0.2 {T0}",
                          f"m,g=a,s=1 v=0.3 {T0 + 60 * SEC}", f"m,g=b,s=3 v=5.0 {T0}"])
    engine.compact()
    flux = QUERY.format(filter='r._measurement == "m"', columns='["g"]', every="1h", fn="sum",
                        empty="false")
    assert "StorageGroupWindow" in engine.explain(flux)
    tables = engine.query(flux)["_result"]
    assert [t.key_record()["g"] for t in tables] == ["a", "b"]
    assert tables[0].frame.columns == ["_time", "_start", "_stop", "g", "_value"]
    assert tables[0].frame["_value"].to_list() == [0.1 + 0.2 + 0.3]
    assert tables[1].frame["_value"].to_list() == [5.0]


def test_fields_of_two_types_in_a_group_are_the_plain_plans_error(engine):
    from tsengine.errors import FluxRuntimeError

    write_bucket(engine, _lines(2))
    engine.compact()
    flux = QUERY.format(filter='r._measurement == "env"', columns='["region"]', every="1h",
                        fn="count", empty="false")
    for rules in ((), ("all",)):
        with pytest.raises(FluxRuntimeError, match="cannot group float and integer types"):
            engine.query(flux, disabled_rules=rules)


def test_a_time_split_between_two_files_of_a_day_adds_in_table_order(engine):
    """A write that ended among one timestamp's points leaves the day's rest of them to a
    second file: at that time the plain plan still adds s1, s2, s3 (table order), which here
    gives 0 + 1 (1e16 + 1 rounds back to 1e16) where s1, s3, s2 would give 1."""
    t5 = T0 + 50 * SEC
    first = [f"m,g=a,s=s{i} v=0.0 {T0 + k * 10 * SEC}" for k in range(5) for i in (1, 2, 3)]
    write_bucket(engine, [*first, f"m,g=a,s=s1 v=1e16 {t5}", f"m,g=a,s=s3 v=-1e16 {t5}"])
    engine.compact(full=False)
    engine.write("b", f"m,g=a,s=s2 v=1.0 {t5}\nm,g=a,s=s1 v=0.0 {t5 + 10 * SEC}\n")
    engine.compact(full=False)
    flux = QUERY.format(filter='r._measurement == "m"', columns='["g"]', every="1m",
                        fn="sum", empty="false")
    assert "StorageGroupWindow" in engine.explain(flux)
    values = [t.frame["_value"].to_list() for t in engine.query(flux)["_result"]]
    assert values == [[0.0, 0.0]]
    assert values == [t.frame["_value"].to_list()
                      for t in engine.query(flux, disabled_rules=("all",))["_result"]]


def _grid_lines(seed: int) -> list[str]:
    """Sensors every 10 minutes (5 s past) over two days, some points missing, some lines
    without `temp` (a null there), values of many magnitudes; groups of 1 to 6 series."""
    rng = random.Random(seed)
    lines = []
    for s in range(10):
        tags = f"sensor=s{s:02d},region=r{min(s // 3, 3)},site=x{s % 2}"
        for i in range(2 * 144):
            if rng.random() < 0.1:
                continue
            t = T0 + i * 600 * SEC + 5 * SEC
            value = rng.uniform(-1, 1) * 10 ** rng.randint(-3, 9)
            lines.append(f"env,{tags} hum={rng.random()!r} {t}" if rng.random() < 0.05 else
                         f"env,{tags} temp={value!r},hum={rng.random()!r} {t}")
            if s < 3:
                lines.append(f"lab,{tags} temp={value / 3!r} {t}")
    return lines


@pytest.mark.parametrize(("every", "fn", "empty"),
                         [("1h", "mean", "false"), ("36h", "sum", "true"), ("20m", "mean", "true")])
def test_grid_aligned_sums_match_the_plain_plan(engine, grid_answers, every, fn, empty):
    write_bucket(engine, _grid_lines(3))
    engine.compact()
    flux = QUERY.format(filter='r._field == "temp"', columns='["region"]', every=every, fn=fn,
                        empty=empty)
    assert "StorageGroupWindow" in engine.explain(flux)
    tables = _tables(engine, flux)
    assert grid_answers == [True]  # the grid answered
    assert tables == _tables(engine, flux, disabled_rules=("all",))
    assert len(tables) == 4 and all(len(t[3]) for t in tables)


@pytest.mark.parametrize("columns", ['[]', '["sensor"]', '["site", "region"]'])
def test_grid_groups_of_every_size_add_up_alike(engine, grid_answers, columns):
    """One group of every series, a group per series, groups of 1 to 6 series: the grid's
    blocks hold groups of equal sizes side by side."""

    write_bucket(engine, _grid_lines(7))
    engine.compact()
    flux = QUERY.format(filter='r._field == "temp"', columns=columns, every="2h", fn="sum",
                        empty="true")
    tables = _tables(engine, flux)
    assert grid_answers == [True] and tables
    assert tables == _tables(engine, flux, disabled_rules=("all",))


@pytest.mark.parametrize(("start", "stop", "every"), [
    ("2024-01-01T07:13:20Z", "2024-01-02T05:00:00Z", "1h"),  # mid-day to mid-day: 2 files
    ("2024-01-01T23:55:05Z", "2024-01-02T00:20:05Z", "10m"),  # around midnight, on rows
    ("2024-01-01T12:00:00Z", "2024-01-01T12:00:01Z", "1m"),  # no row inside
    ("2023-12-31T00:00:00Z", "2024-01-05T00:00:00Z", "36h"),  # wider than the files
])
def test_ranges_cut_into_the_days_add_up_alike(engine, grid_answers, start, stop, every):
    """A range cuts the days' spans of times the grid is laid out for: the same tables as the
    plain plan's, the grid answering (no rows: no tables)."""

    write_bucket(engine, _grid_lines(6))
    engine.compact()
    flux = (f'from(bucket: "b") |> range(start: {start}, stop: {stop})'
            ' |> filter(fn: (r) => r._field == "temp") |> group(columns: ["region"])'
            f' |> aggregateWindow(every: {every}, fn: mean, createEmpty: false)')
    tables = _tables(engine, flux)
    assert tables == _tables(engine, flux, disabled_rules=("all",))
    assert grid_answers == [True] and bool(tables) == (start != "2024-01-01T12:00:00Z")


def test_a_series_off_the_first_rows_grid_is_read_again_and_sorted(engine, monkeypatch):
    """The grid is laid out on the first batch's times; a later series 3 s off it declines
    the grid once its rows are placed, and the rows are read again and sorted: the same
    tables as the plain plan's."""
    from tsengine.execute import aggregate_read, group_window_read, slot_grid

    lines = _grid_lines(5) + [f"env,sensor=s99,region=r1,site=x0 temp={0.1 * i!r} "
                              f"{T0 + i * 600 * SEC + 8 * SEC}" for i in range(20)]
    write_bucket(engine, lines)
    engine.compact()
    monkeypatch.setattr(aggregate_read, "BATCH_ROWS", 7)
    placed, sorted_ = [], []
    place = slot_grid.GridSums.place
    monkeypatch.setattr(slot_grid.GridSums, "place",
                        lambda self, day, parts: placed.append(place(self, day, parts))
                        or placed[-1])
    order = group_window_read._in_group_and_time_order
    monkeypatch.setattr(group_window_read, "_in_group_and_time_order",
                        lambda rows, name: sorted_.append(rows.height) or order(rows, name))
    flux = QUERY.format(filter='r._measurement == "env" and r._field == "temp"',
                        columns='["region"]', every="1h", fn="mean", empty="false")
    tables = _tables(engine, flux)
    assert placed == [False] and len(sorted_) == 1  # declined on day one, then sorted
    assert tables == _tables(engine, flux, disabled_rules=("all",))
    assert [t[0]["region"] for t in tables] == ["r0", "r1", "r2", "r3"]


@pytest.mark.parametrize("lines", [_lines, _grid_lines])
@pytest.mark.parametrize(("filter_", "columns", "every", "fn", "empty"), [CASES[0], CASES[2]])
def test_rows_read_in_batches_of_whole_runs_add_up_alike(engine, monkeypatch, grid_answers,
                                                         lines, filter_, columns, every, fn,
                                                         empty):
    """Batches of about 7 rows, each ending where a series' run does (each day's file
    numbers its own): the same tables, sorted by time or placed on the grid (two days'
    files, each day laid out on its first batch's rows)."""
    from tsengine.execute import aggregate_read, group_window_read

    write_bucket(engine, lines(4))
    engine.compact()
    flux = QUERY.format(filter=filter_, columns=columns, every=every, fn=fn, empty=empty)
    whole = _tables(engine, flux)
    monkeypatch.setattr(aggregate_read, "BATCH_ROWS", 7)
    batches = []
    series_runs = group_window_read._series_runs
    monkeypatch.setattr(group_window_read, "_series_runs",
                        lambda numbers, known: batches.append(len(numbers))
                        or series_runs(numbers, known))
    assert _tables(engine, flux) == whole == _tables(engine, flux, disabled_rules=("all",))
    assert len(batches) > 5  # (a batch holds one run at least)
    # the grid answers aligned times, whole and in batches
    assert grid_answers == ([] if lines is _lines else [True, True])


def test_a_day_is_added_once_the_reading_has_passed_it(engine, monkeypatch, grid_answers):
    """Read in batches, a day's rows are placed and its windows added as soon as the last
    read's batches reach the next day (not when the whole range is read), so a range of many
    days holds one day's values: the same tables as the plain plan's."""
    from tsengine.execute import aggregate_read, group_window_read, slot_grid

    write_bucket(engine, _grid_lines(8))
    engine.compact()
    monkeypatch.setattr(aggregate_read, "BATCH_ROWS", 7)
    events: list[str] = []
    series_runs = group_window_read._series_runs
    monkeypatch.setattr(group_window_read, "_series_runs",
                        lambda numbers, known: events.append("batch")
                        or series_runs(numbers, known))
    place = slot_grid.GridSums.place
    monkeypatch.setattr(slot_grid.GridSums, "place",
                        lambda self, day, parts: events.append(f"place {day}")
                        or place(self, day, parts))
    flux = QUERY.format(filter='r._measurement == "env" and r._field == "temp"',
                        columns='["region"]', every="1h", fn="mean", empty="false")
    tables = _tables(engine, flux)
    assert grid_answers == [True]
    days = [e for e in events if e.startswith("place")]
    assert len(days) == 2 and days[0] < days[1]  # each day once, in order
    first, last = events.index(days[0]), len(events) - 1 - events[::-1].index("batch")
    assert events.count("batch") > 10 and first < last  # day one added while day two is read
    assert events[-1] == days[1]
    assert tables == _tables(engine, flux, disabled_rules=("all",))


def test_series_runs_are_found_by_the_known_numbers():
    """Runs of ascending numbers, over several chunks (a run across two, a chunk inside a
    run): found by a binary search for each known number, chunk by chunk; known numbers with
    no row in the batch are passed over."""
    from tsengine.execute.group_window_read import _series_runs

    chunks = [[3, 3, 5, 5, 5], [5, 5], [5, 8], [9, 9, 9, 12]]
    numbers = pl.concat([pl.Series("n", c, dtype=pl.Int64) for c in chunks], rechunk=False)
    assert numbers.n_chunks() == 4
    known = np.array([1, 3, 4, 5, 8, 9, 10, 12, 15])
    starts, found = _series_runs(numbers, known)
    assert starts.tolist() == [0, 2, 8, 9, 12] and found.tolist() == [3, 5, 8, 9, 12]
    starts, found = _series_runs(numbers.slice(2, 7), known)
    assert starts.tolist() == [0, 6] and found.tolist() == [5, 8]
