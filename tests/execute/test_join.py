"""universe join: renamed shared columns, the union of both keys, row matching and order, nulls,
tables missing an `on` column, argument errors."""

from __future__ import annotations

import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
M = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
MEM = RANGE + ' |> filter(fn: (r) => r._measurement == "mem")'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1 {T0}",
        f"cpu,host=a usage=2 {T0 + M}",
        f"cpu,host=b usage=3 {T0}",
        f"mem,host=a used=10i {T0}",
        f"mem,host=a used=20i {T0 + M}",
        f"mem,host=b used=30i {T0 + 2 * M}",
    ])


def rows(engine, flux):
    """(key record, columns, rows) per table, with the planner's rules on and off."""
    return agree(engine, flux, lambda t: (t.key_record(), t.frame.columns, t.frame.rows()))


def test_shared_columns_are_renamed_and_keys_united(engine):
    (table,) = rows(engine, f"join(tables: {{mem: {MEM}, cpu: {CPU}}}, on: [\"_time\", \"host\"])")
    key, columns, values = table
    assert columns == ["_field_cpu", "_field_mem", "_measurement_cpu", "_measurement_mem",
                       "_start_cpu", "_start_mem", "_stop_cpu", "_stop_mem", "_time",
                       "_value_cpu", "_value_mem", "host"]
    assert list(key) == [c for c in columns if c not in ("_time", "_value_cpu", "_value_mem")]
    assert [(r[9], r[10], r[11]) for r in values] == [(1.0, 10, "a"), (2.0, 20, "a")]


def test_the_first_name_alphabetically_is_the_left_stream(engine):
    flux = (f"join(tables: {{z: {CPU} |> keep(columns: [\"_time\", \"_value\"]), "
            f"a: {MEM} |> keep(columns: [\"_time\", \"_value\", \"host\"])}}, on: [\"_time\"])")
    result = rows(engine, flux)
    assert [t[1] for t in result] == [["_time", "_value_a", "_value_z", "host"]] * len(result)


def test_equal_on_values_give_left_major_pairs_and_rows_sorted_by_on(engine):
    left = CPU + ' |> keep(columns: ["_value", "host"]) |> group()'
    right = MEM + ' |> keep(columns: ["_value", "host"]) |> group()'
    (table,) = rows(engine, f"join(tables: {{l: {left}, r: {right}}}, on: [\"host\"])")
    assert table[1] == ["_value_l", "_value_r", "host"]
    assert table[2] == [(1.0, 10, "a"), (1.0, 20, "a"), (2.0, 10, "a"), (2.0, 20, "a"),
                        (3.0, 30, "b")]


def test_null_on_values_match_nothing(engine):
    nulls = ' |> map(fn: (r) => ({_time: r._time, k: if r.host == "a" then r.nope else "x"}))'
    flux = f"join(tables: {{l: {CPU}{nulls}, r: {MEM}{nulls}}}, on: [\"k\"])"
    (table,) = rows(engine, flux)
    assert [r[2] for r in table[2]] == ["x"]  # only host b's rows, whose k is "x"


def test_a_table_without_an_on_column_joins_nothing(engine):
    left = CPU + ' |> drop(columns: ["host"])'
    assert rows(engine, f"join(tables: {{l: {left}, r: {MEM}}}, on: [\"_time\", \"host\"])") == []


def test_on_columns_of_two_types_match_nothing(engine):
    left = CPU + ' |> map(fn: (r) => ({_time: r._time, v: 1}))'
    right = MEM + ' |> map(fn: (r) => ({_time: r._time, v: 1.0}))'
    assert rows(engine, f"join(tables: {{l: {left}, r: {right}}}, on: [\"v\"])") == []


@pytest.mark.parametrize(("args", "message"), [
    ('tables: {a: x, b: x}, on: ["_time"], method: "left"', "left is not a valid join type"),
    ('tables: {a: x, b: x}, on: []', "at least one column in 'on' column list is required"),
    ("tables: {a: x, b: x}", "missing required argument 'on'"),
    ('tables: {a: x, b: x, c: x}, on: ["_time"]', "joins currently must only have two parents"),
    ('tables: {a: x, b: 1}, on: ["_time"]', 'expected "b" to be stream type'),
])
def test_argument_errors(engine, args, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(f"x = {CPU}\njoin({args})")
