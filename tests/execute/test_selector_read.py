"""`first()`/`last()` pushed into the storage read and answered from storage's series numbers:
each field's own first or last non-null value per series, the same tables as the plain plan,
with fields missing from some points, series spread over several files of one day and of
several days, a measurement without tags, and fields of every type."""

from __future__ import annotations

import pytest
from helpers import write_bucket

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-03T00:00:00Z)'


def _tables(engine, flux, **kwargs):
    return [(t.key_record(), t.frame.columns, [str(d) for d in t.frame.dtypes], t.frame.rows())
            for t in engine.query(flux, **kwargs)["_result"]]


def _same_as_the_plain_plan(engine, flux):
    tables = _tables(engine, flux)
    assert "StorageAggregate" in engine.explain(flux)
    assert tables == _tables(engine, flux, disabled_rules=("all",))
    return tables


@pytest.mark.parametrize("fn", ["first", "last"])
def test_each_field_takes_its_own_non_null_value(engine, fn):
    write_bucket(engine, [
        f"m,s=a x=1,y=10i {T0}",
        f"m,s=a x=2 {T0 + SEC}",
        f"m,s=a x=3,z=\"late\" {T0 + 2 * SEC}",
        f"m,s=b y=20i,w=true {T0 + SEC}",
        f"m,s=b y=21i,u=5u {T0 + 3 * SEC}",
    ])
    engine.compact()
    tables = _same_as_the_plain_plan(engine, f"{RANGE} |> {fn}()")
    found = {(key["s"], key["_field"]): (int(rows[0][2].timestamp()) - T0 // SEC, rows[0][3])
             for key, _, _, rows in tables}
    assert found == {  # (seconds after T0, value)
        "first": {("a", "x"): (0, 1.0), ("a", "y"): (0, 10), ("a", "z"): (2, "late"),
                  ("b", "y"): (1, 20), ("b", "w"): (1, True), ("b", "u"): (3, 5)},
        "last": {("a", "x"): (2, 3.0), ("a", "y"): (0, 10), ("a", "z"): (2, "late"),
                 ("b", "y"): (3, 21), ("b", "w"): (1, True), ("b", "u"): (3, 5)},
    }[fn]


@pytest.mark.parametrize("fn", ["first", "last"])
def test_series_over_several_files_of_one_day_and_of_two_days(engine, fn):
    """Compacted twice, appending: the second file of day one starts with another
    series than the one the first file holds alone (equal series numbers in the two files),
    and the last value of `y` is in the first file, not the second."""
    engine.create_bucket("b")
    engine.write("b", f"m,s=x v=1,y=7i {T0}\nm,s=x v=2 {T0 + SEC}\n"
                 f"m,s=x v=4 {T0 + 86_400 * SEC}\nm,s=v v=0 {T0 + 86_401 * SEC}\n")
    engine.store.compact(full=False)
    engine.write("b", f"m,s=w v=10 {T0 + 3 * SEC}\nm,s=x v=3 {T0 + 4 * SEC}\n")
    engine.store.compact(full=False)
    assert len(engine.store.catalog.partitions(engine.store.bucket("b").id)) == 3
    tables = _same_as_the_plain_plan(engine, f"{RANGE} |> {fn}()")
    values = {(key["s"], key["_field"]): rows[0][3] for key, _, _, rows in tables}
    assert values == ({("v", "v"): 0.0, ("w", "v"): 10.0, ("x", "v"): 1.0, ("x", "y"): 7}
                      if fn == "first" else
                      {("v", "v"): 0.0, ("w", "v"): 10.0, ("x", "v"): 4.0, ("x", "y"): 7})


@pytest.mark.parametrize("fn", ["first", "last"])
def test_a_measurement_without_tags_over_several_files(engine, fn):
    engine.create_bucket("b")
    engine.write("b", f"m v=1 {T0}\nm v=2 {T0 + SEC}\nm v=5 {T0 + 86_400 * SEC}\n")
    engine.store.compact(full=False)
    engine.write("b", f"m v=3 {T0 + 2 * SEC}\n")
    engine.store.compact(full=False)
    assert len(engine.store.catalog.partitions(engine.store.bucket("b").id)) == 3
    tables = _same_as_the_plain_plan(engine, f"{RANGE} |> {fn}()")
    assert [rows for _, _, _, rows in tables][0][0][3] == (1.0 if fn == "first" else 5.0)


def test_a_filtered_read_of_some_series_and_fields(engine):
    write_bucket(engine, [f"m,s={s},g={s % 2} a={i + s},b=\"{i}\" {T0 + i * SEC}"
                          for s in range(6) for i in range(5)])
    engine.compact()
    flux = f'{RANGE} |> filter(fn: (r) => r.g == "1" and r._field == "a") |> last()'
    tables = _same_as_the_plain_plan(engine, flux)
    assert [(key["s"], rows[0][3]) for key, _, _, rows in tables] == [
        ("1", 5.0), ("3", 7.0), ("5", 9.0)]


def test_hot_rows_take_the_plain_grouping(engine):
    """Rows still in the hot tier carry no series numbers: the grouped aggregate answers."""
    write_bucket(engine, [f"m,s=a v=1 {T0}", f"m,s=a v=2 {T0 + SEC}"])
    engine.compact()
    engine.write("b", f"m,s=a v=3 {T0 + 2 * SEC}\n")
    tables = _same_as_the_plain_plan(engine, f"{RANGE} |> last()")
    assert tables[0][3][0][3] == 3.0


@pytest.mark.parametrize("fn", ["first", "last"])
def test_rows_that_cannot_be_picked_group_by_their_series_tags(engine, monkeypatch, fn):
    """Where the picks decline, the rows (read without tag columns, the tags coming from the
    table of series) are grouped by the tags joined back: the same tables."""
    from tsengine.execute import aggregate_read

    write_bucket(engine, [f"m,s=a,t=x v={i} {T0 + i * SEC}" for i in range(3)]
                 + [f"m,s=b,t=y v={10 + i} {T0 + i * SEC}" for i in range(3)])
    engine.compact()
    flux = f"{RANGE} |> {fn}()"
    picked = _same_as_the_plain_plan(engine, flux)
    monkeypatch.setattr(aggregate_read, "_picked_rows", lambda *_: None)
    assert _same_as_the_plain_plan(engine, flux) == picked
    assert [(key["s"], key["t"], rows[0][3]) for key, _, _, rows in picked] == \
        ([("a", "x", 0.0), ("b", "y", 10.0)] if fn == "first" else
         [("a", "x", 2.0), ("b", "y", 12.0)])


@pytest.mark.parametrize("fn", ["first", "last"])
def test_a_read_picked_in_batches_that_cut_series(engine, monkeypatch, fn):
    """Batches of 4 rows (memory holds a batch, not the range): series cut by a batch's end,
    a field whose only values in a series lie in different batches, the same tables."""
    import tsengine.execute.aggregate_read as aggregate_read

    lines = []
    for s in range(5):
        for k in range(s + 3):
            y = f",y={s * 100 + k}i" if (s + k) % 4 == 0 else ""
            lines.append(f"m,s=s{s} x={s + k / 10}{y} {T0 + k * SEC}")
    write_bucket(engine, lines)
    engine.compact()
    monkeypatch.setattr(aggregate_read, "BATCH_ROWS", 4)
    calls = []
    picked_rows = aggregate_read._picked_rows
    monkeypatch.setattr(aggregate_read, "_picked_rows",
                        lambda *a: calls.append(a[2].height) or picked_rows(*a))
    tables = _same_as_the_plain_plan(engine, f"{RANGE} |> {fn}()")
    assert len(calls) > 2 and max(calls) <= 4 and sum(calls) == len(lines)
    found = {(key["s"], key["_field"]): rows[0][3] for key, _, _, rows in tables}
    assert found[("s4", "x")] == (4.0 if fn == "first" else 4.6)
    assert found[("s3", "y")] == (301 if fn == "first" else 305)
