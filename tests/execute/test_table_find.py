"""tableFind, getColumn, getRecord, findColumn, findRecord: values read out of a stream run
mid-script; contains (row by row and compiled), length and die."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import both, write_bucket

import tsengine.stdlib  # noqa: F401  (registers the builtins)
from tsengine.errors import FluxRuntimeError
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.lambdas import compile_predicate
from tsengine.flux.values import Time, UInt
from tsengine.stdlib.universe.table_find import column_values, row_record

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"cpu,host=a usage=1 {T0}",
                                 f"cpu,host=a usage=2 {T0 + 60 * 10**9}",
                                 f"cpu,host=b usage=5 {T0}", f"cpu,host=c n=7u {T0}"])


def value(engine, expr: str, setup: str = ""):
    """The value of a Flux expression, read back through array.from."""
    flux = f'import "array"\n{setup}\narray.from(rows: [{{v: {expr}}}])'
    (table,) = engine.query(flux)["_result"]
    return table.frame["v"].to_list()[0]


def test_table_find_takes_the_first_table_whose_key_matches(engine):
    setup = f't = {RANGE} |> tableFind(fn: (key) => key._field == "usage")'
    assert value(engine, 't |> getColumn(column: "_value") |> length()', setup) == 2
    assert value(engine, '(t |> getRecord(idx: 1))._value', setup) == 2.0


def test_get_column_keeps_column_types(engine):
    setup = f't = {RANGE} |> tableFind(fn: (key) => key.host == "c")'
    assert value(engine, '(t |> getColumn(column: "_value"))[0]', setup) == 7
    flux = (f'import "array"\n{setup}\n'
            'array.from(rows: [{u: (t |> getColumn(column: "_value"))[0]}])')
    (table,) = engine.query(flux)["_result"]
    assert str(table.frame.schema["u"]) == "UInt64"


def test_rows_and_columns_as_flux_values():

    frame = pl.DataFrame({"t": pl.Series([T0], dtype=pl.Int64).cast(pl.Datetime("ns", "UTC")),
                          "u": pl.Series([3], dtype=pl.UInt64), "s": [None]})
    record = row_record(frame, 0)
    assert record["t"] == Time(T0) and record["u"] == UInt(3) and record["s"] is None
    assert list(column_values(frame["u"])) == [UInt(3)]


def test_find_column_and_find_record_give_empty_values_when_nothing_matches(engine):
    setup = f"data = {RANGE}"
    none = 'data |> findColumn(fn: (key) => key.host == "z", column: "_value") |> length()'
    assert value(engine, none, setup) == 0
    missing = 'data |> findColumn(fn: (key) => true, column: "nope") |> length()'
    assert value(engine, missing, setup) == 0
    rec = 'exists (data |> findRecord(fn: (key) => key.host == "z", idx: 0))._value'
    assert value(engine, rec, setup) is False
    past = 'exists (data |> findRecord(fn: (key) => key.host == "a", idx: 2))._value'
    assert value(engine, past, setup) is False
    found = '(data |> findRecord(fn: (key) => key.host == "b", idx: 0))._value'
    assert value(engine, found, setup) == 5.0


@pytest.mark.parametrize("script, message", [
    (f'x = {RANGE} |> tableFind(fn: (key) => key.host == "z")', "no table found"),
    (f'x = {RANGE} |> tableFind(fn: (key) => true) |> getRecord(idx: -1)',
     "index out of bounds: -1"),
    (f'x = {RANGE} |> tableFind(fn: (key) => true) |> getColumn(column: "q")',
     "cannot find column q"),
    (f'x = {RANGE} |> getColumn(column: "_value")', "want a table found by tableFind"),
    (f'x = {RANGE} |> tableFind(fn: (key) => 1)', "fn must return a bool"),
    ('x = from(bucket: "b") |> tableFind(fn: (key) => true)', "cannot submit unbounded read"),
])
def test_errors(engine, script, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(script)


def test_contains_in_a_filter_agrees_with_and_without_rules(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => contains(value: r.host, set: ["a", "c"]))')
    assert sorted(r[0]["host"] for r in result) == ["a", "c"]


def test_contains_compiles_to_is_in():
    interp = Interpreter()
    fn = interp.run('f = (r) => contains(value: r.h, set: ["a", "c"])')["f"]
    frame = pl.DataFrame({"h": ["a", "b", None, "c"]})
    expr = compile_predicate(fn, interp, frame.schema)
    assert frame.select(expr).to_series().to_list() == [True, False, False, True]


@pytest.mark.parametrize("expr, want", [
    ("contains(value: 1, set: [1, 2])", True),
    ('contains(value: "x", set: [])', False),
    ("contains(value: 2.5, set: [1.5])", False),
    ("length(arr: [1, 2, 3])", 3),
    ("length(arr: [])", 0),
])
def test_scalars(engine, expr, want):
    assert value(engine, expr) == want


def test_contains_type_mismatch_and_die(engine):
    with pytest.raises(FluxRuntimeError, match="value type int does not match set type string"):
        value(engine, 'contains(value: 1, set: ["a"])')
    with pytest.raises(FluxRuntimeError, match="custom failure"):
        engine.query('x = die(msg: "custom failure")')
    with pytest.raises(FluxRuntimeError, match="too big"):
        engine.query(RANGE + ' |> map(fn: (r) => ({r with _value: if r._value > 4.0 then '
                             'die(msg: "too big") else r._value}))')
