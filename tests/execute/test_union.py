"""union: several streams as one; equal keys merge, columns union, type clashes fail."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.plan.planner import explain, optimize

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1 {T0}",
        f"cpu,host=b usage=2 {T0 + S}",
        f"mem,host=a used=3 {T0}",
        f'log,host=a msg="x" {T0}',
    ])


def test_union_of_disjoint_streams(engine):
    flux = (f'a = {RANGE} |> filter(fn: (r) => r._measurement == "cpu")\n'
            f'b = {RANGE} |> filter(fn: (r) => r._measurement == "mem")\n'
            "union(tables: [a, b])")
    result = both(engine, flux)
    assert [(r[0]["_measurement"], r[0]["host"], r[2]) for r in result] == [
        ("cpu", "a", [1.0]), ("cpu", "b", [2.0]), ("mem", "a", [3.0])]


def test_equal_keys_merge_and_columns_union(engine):
    flux = (f'a = {RANGE} |> filter(fn: (r) => r._field == "usage") |> group(columns: ["host"])'
            '\n'
            f'b = {RANGE} |> filter(fn: (r) => r._field == "used") |> group(columns: ["host"])'
            ' |> set(key: "extra", value: "e")\n'
            'union(tables: [a, b]) |> sort(columns: ["_time", "_value"])')
    result = both(engine, flux)
    assert [r[2] for r in result] == [[1.0, 3.0], [2.0]]
    assert result[0][1][-1] == "extra"


def test_the_same_stream_twice(engine):
    flux = (f'a = {RANGE} |> filter(fn: (r) => r._field == "usage")\n'
            "union(tables: [a, a])")
    assert [r[2] for r in both(engine, flux)] == [[1.0, 1.0], [2.0, 2.0]]


def test_type_clash_is_a_schema_collision(engine):
    flux = (f'a = {RANGE} |> filter(fn: (r) => r._field == "usage") |> group()\n'
            f'b = {RANGE} |> filter(fn: (r) => r._field == "msg") |> group()\n'
            "union(tables: [a, b])")
    with pytest.raises(FluxRuntimeError, match='union: schema collision detected: column '
                                               '"_value" is both of type'):
        engine.query(flux)


def test_empty_tables_are_kept(engine):
    flux = (f'a = {RANGE} |> filter(fn: (r) => r._field == "none", onEmpty: "keep")\n'
            f'b = {RANGE} |> filter(fn: (r) => r._field == "usage")\n'
            "union(tables: [a, b])")
    # the empty usage tables merge with the non-empty ones
    assert [r[2] for r in both(engine, flux)] == [[], [1.0], [2.0], []]


def test_needs_two_streams(engine):
    with pytest.raises(FluxRuntimeError, match="union must have at least two streams"):
        engine.query(f"a = {RANGE}\nunion(tables: [a])")


def test_inputs_are_planned(engine):
    import tsengine.stdlib  # noqa: F401
    from tsengine.flux.interpreter import Interpreter
    program = Interpreter().run(f'a = {RANGE} |> filter(fn: (r) => r.host == "a")\n'
                                f"b = {RANGE}\nx = union(tables: [a, b])")
    plan = explain(optimize(program["x"].node))
    assert plan.startswith("Union(tables=2)\n  StorageRead(")
    assert "predicate=host == 'a'" in plan
