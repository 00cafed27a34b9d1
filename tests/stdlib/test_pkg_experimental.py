"""experimental: group(mode: "extend"), set(o:), addDuration/subDuration, alignTime, window,
unpivot and objectKeys, each with the planner's rules on and off."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
RANGE = ('import "experimental"\nfrom(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, '
         'stop: 2024-01-01T01:00:00Z)')


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.write("b", f"m,h=a,c=x v=1 {T0}\nm,h=a,c=y v=2 {T0}\nm,h=a,c=x v=3 {T0 + 60 * 10**9}\n"
                      f"m,h=b,c=x v=4 {T0}\n")
    return engine


def run(engine, flux: str) -> list[tuple[dict, list[str], list[tuple]]]:
    runs = [[(t.key_record(), t.frame.columns, t.frame.rows())
             for t in engine.query(flux, disabled_rules=off)["_result"]]
            for off in ((), ("all",))]
    assert runs[0] == runs[1]
    return runs[0]


def keys(result, *labels: str) -> list[tuple]:
    return [tuple(key[k] for k in labels) for key, _, _ in result]


def test_group_extend_adds_columns_to_the_key(engine):
    result = run(engine, RANGE + ' |> group(columns: ["h"])'
                                 ' |> experimental.group(mode: "extend", columns: ["c"])')
    assert keys(result, "c", "h") == [("x", "a"), ("x", "b"), ("y", "a")]
    assert all(list(key) == ["_start", "_stop", "c", "h"] for key, _, _ in result)


def test_group_extend_errors(engine):
    with pytest.raises(FluxRuntimeError, match='unknown column "q"'):
        engine.query(RANGE + ' |> experimental.group(mode: "extend", columns: ["q"])')
    with pytest.raises(FluxRuntimeError, match='requires mode "extend"'):
        engine.query(RANGE + ' |> experimental.group(mode: "except", columns: ["c"])')


def test_set_keeps_types_replaces_in_place_and_merges_tables(engine):
    values = '{c: "all", _value: 1, t: 2024-01-01T00:00:00Z}'
    result = run(engine, RANGE + ' |> filter(fn: (r) => r.h == "a")'
                                 f' |> experimental.set(o: {values})')
    ((key, columns, rows),) = result
    assert key["c"] == "all" and columns[3] == "_value" and columns[-1] == "t"
    assert sorted(r[3] for r in rows) == [1, 1, 1]


def test_durations_are_calendar_aware(engine):
    flux = ('import "experimental"\nimport "array"\narray.from(rows: [{'
            'a: experimental.addDuration(d: 1mo, to: 2023-01-31T00:00:00Z), '
            'b: experimental.subDuration(d: 1y, from: 2024-02-29T06:00:00Z), '
            'c: experimental.addDuration(d: 1mo, to: 2024-01-31T23:00:00Z, '
            'location: {zone: "UTC", offset: 2h})}])')
    (table,) = engine.query(flux)["_result"]
    a, b, c = (v.isoformat() for v in table.frame.row(0))
    assert a.startswith("2023-02-28T00:00") and b.startswith("2023-02-28T06:00")
    assert c.startswith("2024-02-29T23:00")  # Feb 1 01:00 local, a month on: Mar 1 01:00


def test_align_time_starts_each_table_at_align_to(engine):
    result = run(engine, RANGE + ' |> filter(fn: (r) => r.c == "x")'
                                 ' |> experimental.alignTime(alignTo: 2020-01-01T00:00:00Z)')
    columns = result[0][1]
    assert columns == sorted(columns)
    times = [[r[columns.index("_time")].isoformat() for r in rows] for _, _, rows in result]
    assert [t[:2] for t in times] == [["2020-01-01T00:00:00+00:00", "2020-01-01T00:01:00+00:00"],
                                      ["2020-01-01T00:00:00+00:00"]]


def test_window_is_universe_window(engine):
    ours = run(engine, RANGE + " |> experimental.window(every: 1m)")
    theirs = run(engine, RANGE + " |> window(every: 1m)")
    assert ours == theirs and len(ours) == 4


def test_unpivot_inverts_pivot(engine):
    pivot = 'pivot(rowKey: ["_time"], columnKey: ["c"], valueColumn: "_value")'
    result = run(engine, RANGE + f' |> filter(fn: (r) => r.h == "a") |> {pivot}'
                                 ' |> drop(columns: ["_field"]) |> experimental.unpivot()')
    assert keys(result, "_field") == [("x",), ("y",)]
    assert [[r[-1] for r in rows] for _, _, rows in result] == [[1.0, 3.0], [2.0]]
    assert result[0][1][-3:] == ["_field", "_time", "_value"]


def test_unpivot_with_field_among_other_columns_keeps_the_key(engine):
    flux = ('import "experimental"\nimport "array"\n'
            'array.from(rows: [{_time: 2024-01-01T00:00:00Z, a: 1.0, b: 2.0}])'
            ' |> experimental.unpivot(otherColumns: ["_time", "_field"])')
    result = run(engine, flux)
    assert [(k, c, r) for k, c, r in result][0][0] == {}
    assert sorted(r[1] for _, _, rows in result for r in rows) == ["a", "b"]


def test_object_keys(engine):
    flux = ('import "experimental"\nimport "array"\n'
            'array.from(rows: [{n: length(arr: experimental.objectKeys(o: {x: 1, y: 2}))}])')
    assert engine.query(flux)["_result"][0].frame["n"].to_list() == [2]
