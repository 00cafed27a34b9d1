"""The join package: tables matched by group key, the four methods and their default records,
row order, `on` predicates upstream accepts, `as` compiled or called row by row (same result)."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError
from tsengine.flux.lambdas import NotCompilable
from tsengine.stdlib.join import tables as join_tables

T0 = 1704067200000000000
M = 60_000_000_000
HEAD = '''import "join"
data = from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> drop(columns: ["_start", "_stop", "_field"])
cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> drop(columns: ["_measurement"])
mem = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_measurement"])
'''
ON_TIME = "on: (l, r) => l._time == r._time"
FULL_AS = '''as: (l, r) => {
    t = if exists l._time then l._time else r._time
    return {host: r.host, t: t, c: l._value, m: r._value}
}'''


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.write("b", "\n".join([
        f"cpu,host=a usage=1 {T0}",
        f"cpu,host=a usage=2 {T0 + M}",
        f"cpu,host=b usage=3 {T0}",
        f"mem,host=a used=10i {T0}",
        f"mem,host=a used=20i {T0 + M}",
        f"mem,host=a used=25i {T0 + 2 * M}",
        f"mem,host=b used=30i {T0 + 2 * M}",
        f"mem,host=c used=40i {T0}",
    ]) + "\n")
    return engine


def rows(engine, flux):
    """(key record, columns, rows) per table, the same with the planner's rules on and off."""
    def describe(t):
        return t.key_record(), t.frame.columns, t.frame.rows()
    on = [describe(t) for t in engine.query(HEAD + flux)["_result"]]
    off = [describe(t) for t in engine.query(HEAD + flux, disabled_rules=("all",))["_result"]]
    assert on == off
    return on


def values(engine, flux, column):
    return {t[0]["host"]: [dict(zip(t[1], r, strict=True))[column] for r in t[2]]
            for t in rows(engine, flux)}


def test_inner_keeps_matches_of_tables_with_the_same_key(engine):
    result = rows(engine, f"join.inner(left: cpu, right: mem, {ON_TIME}, "
                          f"as: (l, r) => ({{l with m: r._value}}))")
    assert result == [({"host": "a"}, ["_time", "_value", "host", "m"],
                       [(result[0][2][0][0], 1.0, "a", 10), (result[0][2][1][0], 2.0, "a", 20)])]


def test_left_right_and_full_keep_unmatched_rows_with_a_default_record(engine):
    left = values(engine, f"join.left(left: cpu, right: mem, {ON_TIME}, "
                          f"as: (l, r) => ({{host: l.host, c: l._value, m: r._value}}))", "m")
    assert left == {"a": [10, 20], "b": [None]}
    right = values(engine, f"join.right(left: cpu, right: mem, {ON_TIME}, "
                           f"as: (l, r) => ({{host: l.host, c: l._value, m: r._value}}))", "c")
    assert right == {"a": [1.0, 2.0, None], "b": [None], "c": [None]}  # l.host from the key
    full = values(engine, f"join.full(left: cpu, right: mem, {ON_TIME}, {FULL_AS})", "c")
    assert full == {"a": [1.0, 2.0, None], "b": [3.0, None], "c": [None]}


def test_rows_come_by_join_key_with_null_keys_last(engine):
    keyed = ' |> map(fn: (r) => ({r with k: if r._value == 2.0 then r.nope else "x"}))'
    flux = (f"join.full(left: cpu{keyed}, right: mem |> map(fn: (r) => ({{r with k: \"x\"}})), "
            "on: (l, r) => l.k == r.k, as: (l, r) => ({host: r.host, c: l._value, m: r._value}))")
    # host a: the left row with a null key matches nothing and comes after the matches
    assert values(engine, flux, "c")["a"] == [1.0, 1.0, 1.0, 2.0]
    assert values(engine, flux, "m")["a"] == [10, 20, 25, None]


def test_the_compiled_function_gives_what_row_by_row_calls_give(engine, monkeypatch):
    flux = f"join.full(left: cpu, right: mem, {ON_TIME}, {FULL_AS})"
    monkeypatch.setattr(join_tables, "_row_by_row", _fail)
    compiled = rows(engine, flux)
    monkeypatch.undo()
    monkeypatch.setattr(join_tables, "compile_record", _not_compilable)
    assert rows(engine, flux) == compiled


def test_join_time_joins_on_time_with_a_method(engine):
    full = values(engine, f"join.time(method: \"full\", left: cpu, right: mem, {FULL_AS})", "m")
    assert full == {"a": [10, 20, 25], "b": [None, 30], "c": [40]}


def test_the_left_stream_may_be_piped(engine):
    flux = f"cpu |> join.inner(right: mem, {ON_TIME}, as: (l, r) => ({{l with m: r._value}}))"
    assert values(engine, flux, "m") == {"a": [10, 20]}


def test_tables_takes_the_method(engine):
    flux = (f"join.tables(method: \"left\", left: mem, right: cpu, {ON_TIME}, "
            "as: (l, r) => ({r with host: l.host, m: l._value}))")
    assert values(engine, flux, "_value") == {"a": [1.0, 2.0, None], "b": [None], "c": [None]}


@pytest.mark.parametrize(("on", "message"), [
    ("(l, r) => l._time != r._time", "unsupported operator in join predicate: !="),
    ("(l, r) => l._time == r._time or l.host == r.host",
     "unsupported operator in join predicate: or"),
    ("(l, r) => l._time == r._time and l.host == l.host",
     "may not reference the same object"),
    ('(l, r) => "x" == r.host', "left side of comparison is not a member expression"),
    ("(l, r) => exists l._time", "illegal expression type in join predicate: UnaryExpression"),
])
def test_on_must_be_equalities_joined_by_and(engine, on, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(HEAD + f"join.inner(left: cpu, right: mem, on: {on}, as: (l, r) => l)")


@pytest.mark.parametrize(("call", "message"), [
    (f'join.tables(left: cpu, right: mem, {ON_TIME}, as: (l, r) => l, method: "outer")',
     "invalid argument for 'method'"),
    (f"join.inner(left: cpu, right: 1, {ON_TIME}, as: (l, r) => l)",
     "argument 'right' must be a table stream"),
    (f"join.inner(left: cpu, right: mem, {ON_TIME}, as: (a, b) => a)",
     "as must be a function of two records"),
    (f"join.inner(left: cpu, right: mem, {ON_TIME}, as: (l, r) => 1)",
     "as must return a record"),
    (f"join.inner(left: cpu, right: mem, {ON_TIME}, as: (l, r) => ({{x: l._time}}))",
     "join cannot modify group key"),
    (f"join.inner(left: cpu, right: mem, {ON_TIME}, as: (l, r) => ({{r with x: r.nope}}))",
     "error preparing right side of join: table is missing label nope"),
    ("join.inner(left: cpu, right: mem, on: (l, r) => l.nope == r._time, as: (l, r) => l)",
     "cannot set join columns in left table stream: table is missing column 'nope'"),
])
def test_errors(engine, call, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(HEAD + call)


def _fail(*args, **kwargs):
    raise AssertionError("evaluated row by row")


def _not_compilable(*args, **kwargs):
    raise NotCompilable("forced")
