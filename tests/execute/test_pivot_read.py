"""A pivot of fields on a storage read, answered from the wide rows: the same tables (columns,
types, row order) as the plain plan, whatever the data's shape, hot or compacted."""

from __future__ import annotations

import pytest
from helpers import write_bucket

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 10**9
DAY = 86_400 * SEC
PIVOT = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-04T00:00:00Z)'
         '{filter} |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")')


def _tables(engine, flux, **kwargs):
    return [(t.key_record(), t.frame.columns, [str(d) for d in t.frame.dtypes], t.frame.rows())
            for t in engine.query(flux, **kwargs)["_result"]]


def _same_both_ways(engine, filter_: str = "", pushed: bool = True):
    flux = PIVOT.format(filter=filter_)
    assert ("StoragePivot" in engine.explain(flux)) is pushed
    on = _tables(engine, flux)
    assert on == _tables(engine, flux, disabled_rules=("all",))
    return on


LINES = [
    f"m,host=a,dc=x u=1.5,n=3i,s=\"ok\",b=true {T0}",
    f"m,host=a,dc=x u=2.5,n=4i {T0 + 10 * SEC}",  # no s or b: null cells
    f"m,host=a,dc=x n=5i,s=\"hm\",b=false {T0 + 20 * SEC}",  # no u: b's table brings it first
    f"m,host=b,dc=y u=9.0,n=1i,s=\"z\",b=false {T0 + 5 * SEC}",
    f"m,host=b,dc=y u=8.0,n=2i,s=\"y\",b=true {T0 + DAY}",  # the next day
    f"cpu,host=a usage=0.5 {T0}",
    f"cpu,host=a usage=0.7 {T0 + 30 * SEC}",
]


@pytest.mark.parametrize("compact", [False, True])
def test_pivot_of_fields_matches_the_plain_plan(engine, compact):
    write_bucket(engine, LINES)
    if compact:
        engine.compact()
    tables = _same_both_ways(engine)
    assert [t[0]["_measurement"] for t in tables] == ["cpu", "m", "m"]
    key, columns, _, rows = tables[1]
    assert columns == ["_start", "_stop", "_time", "_measurement", "dc", "host", "b", "n", "s",
                       "u"]
    assert [r[6:] for r in rows] == [(True, 3, "ok", 1.5), (False, 5, "hm", None),
                                     (None, 4, None, 2.5)]


def test_hot_rows_over_compacted_ones(engine):
    write_bucket(engine, LINES)
    engine.compact()
    engine.write("b", f"m,host=a,dc=x u=7.5 {T0 + 10 * SEC}\nm,host=c,dc=x u=1,n=1i,s=\"a\","
                      f"b=true {T0}\n")
    _same_both_ways(engine)


def test_a_filter_of_some_fields_and_tags(engine):
    write_bucket(engine, LINES)
    engine.compact()
    tables = _same_both_ways(engine, ' |> filter(fn: (r) => r._measurement == "m" and '
                                     '(r._field == "u" or r._field == "n") and r.dc == "x")')
    assert [t[1][-2:] for t in tables] == [["n", "u"]]


@pytest.mark.parametrize("lines", [
    [f"m,host=a u=1 {T0}", f"m,host=b,dc=y u=2 {T0}"],  # a series without tag dc
    [f"m,host=a u=1,n=1i {T0}", f"m,host=b u=2 {T0}"],  # a series without field n
])
def test_shapes_the_wide_rows_cannot_answer_run_the_plain_plan(engine, lines):
    write_bucket(engine, lines)
    engine.compact()
    assert len(_same_both_ways(engine)) == 2


def test_a_measurement_without_tags(engine):
    write_bucket(engine, [f"m x=1i,y=2.5 {T0}", f"m x=3i {T0 + SEC}"])
    engine.compact()
    (table,) = _same_both_ways(engine)
    assert [r[-2:] for r in table[3]] == [(1, 2.5), (3, None)]
