"""map: compiled and row-by-row evaluation agree; upstream's column order (vectorized functions
keep the input's order, others sort), key handling and regrouping, Flux typing, nulls."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
M = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
CPU = RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
MEM = RANGE + ' |> filter(fn: (r) => r._measurement == "mem")'
STORAGE_ORDER = ["_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1.5 {T0}",
        f"cpu,host=a usage=2.5 {T0 + M}",
        f"cpu,host=b usage=3 {T0}",
        f"mem,host=a used=-7i {T0}",
        f"mem,host=a used=13i {T0 + M}",
        f'log,host=a msg="boot" {T0}',
    ])


def tables(engine, flux):
    return engine.query(flux)["_result"]


# -- column order and keys -----------------------------------------------------------------------
def test_a_vectorized_function_keeps_the_input_column_order(engine):
    result = both(engine, CPU + " |> map(fn: (r) => ({r with _value: r._value * 2.0, x: 1}))")
    assert [r[1] for r in result] == [STORAGE_ORDER + ["x"]] * 2
    assert [r[2] for r in result] == [[3.0, 5.0], [6.0]]
    assert all(set(r[0]) == {"_start", "_stop", "_field", "_measurement", "host"} for r in result)


def test_a_row_by_row_function_sorts_the_columns(engine):
    # a parameter not named r is not vectorized upstream: the row path sorts labels
    result = both(engine, CPU + " |> map(fn: (row) => ({row with _value: row._value * 2.0}))")
    assert result[0][1] == ["_field", "_measurement", "_start", "_stop", "_time", "_value", "host"]
    assert [t.key for t in tables(engine, CPU + " |> map(fn: (row) => ({row with x: 1}))")][0] \
        == ("_field", "_measurement", "_start", "_stop", "host")


def test_string_interpolation_is_not_vectorized(engine):
    (t1, t2) = tables(engine, CPU + ' |> map(fn: (r) => ({r with s: "${r.host}:${r._value}"}))')
    assert t1.frame.columns[-1] == "s" and t1.frame.columns[0] == "_field"
    assert t1.frame["s"].to_list() == ["a:1.5", "a:2.5"] and t2.frame["s"].to_list() == ["b:3"]


def test_a_new_record_drops_other_columns_and_leaves_the_key(engine):
    (only,) = tables(engine, CPU + " |> map(fn: (r) => ({v: r._value, t: r._time}))")
    assert only.key == () and only.frame.columns == ["v", "t"]
    assert only.frame["v"].to_list() == [1.5, 2.5, 3.0]  # host a's table, then host b's


def test_changing_a_key_value_regroups_rows_in_arrival_order(engine):
    flux = CPU + ' |> map(fn: (r) => ({r with host: if r._value > 2.0 then "hi" else "lo"}))'
    result = both(engine, flux)
    assert [(r[0]["host"], r[2]) for r in result] == [("hi", [2.5, 3.0]), ("lo", [1.5])]


def test_tables_whose_keys_become_equal_merge(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._measurement != "log")' \
        ' |> map(fn: (r) => ({r with _measurement: "all", _field: "f", _value: 1}))'
    result = both(engine, flux)
    assert [(r[0]["host"], len(r[2])) for r in result] == [("a", 4), ("b", 1)]


def test_a_type_clash_between_merged_tables_is_a_schema_collision(engine):
    with pytest.raises(FluxRuntimeError, match='map: schema collision detected: column "v"'):
        tables(engine, RANGE + " |> map(fn: (r) => ({v: r._value}))")


def test_empty_tables_are_dropped(engine):
    flux = CPU + ' |> filter(fn: (r) => r._value > 100.0, onEmpty: "keep")' \
        " |> map(fn: (r) => ({r with x: 1}))"
    assert tables(engine, flux) == []


# -- types, nulls and errors -----------------------------------------------------------------------
def test_int_and_float_do_not_mix(engine):
    with pytest.raises(FluxRuntimeError, match=r"error at 1:\d+: map: type conflict: int != float"):
        tables(engine, CPU + " |> map(fn: (r) => ({r with _value: r._value * 2}))")
    with pytest.raises(FluxRuntimeError, match="map: type conflict: float != int"):
        tables(engine, MEM + " |> map(fn: (r) => ({r with _value: r._value + 1.0}))")


def test_integer_division_truncates_and_by_zero_is_an_error(engine):
    result = both(engine, MEM + " |> map(fn: (r) => ({r with q: r._value / 2, m: r._value % 2}))",
                  "q")
    assert result[0][2] == [-3, 6]
    assert both(engine, MEM + " |> map(fn: (r) => ({r with m: r._value % 2}))", "m")[0][2] \
        == [-1, 1]
    with pytest.raises(FluxRuntimeError, match="map: .*cannot divide by zero"):
        tables(engine, MEM + " |> map(fn: (r) => ({r with q: r._value / 0}))")


def test_float_division_is_exact_and_remainder_takes_the_dividends_sign(engine):
    (t,) = tables(engine, MEM + " |> map(fn: (r) => ({r with f: float(v: r._value) / 3.0,"
                                " m: float(v: r._value) % 2.0}))")
    assert t.frame["f"].to_list() == [-7 / 3, 13 / 3]  # not x * (1/3)
    assert t.frame["m"].to_list() == [-1.0, 1.0]


def test_a_missing_column_is_null_and_an_untyped_null_is_left_out(engine):
    (t, _) = tables(engine, CPU + " |> map(fn: (r) => ({r with a: r.nope, b: r.nope * 2,"
                                  " c: exists r.nope, d: exists r._value}))")
    assert "a" not in t.frame.columns
    assert t.frame["b"].dtype.is_integer() and t.frame["b"].to_list() == [None, None]
    assert t.frame["c"].to_list() == [False, False] and t.frame["d"].to_list() == [True, True]


def test_vectorized_logic_is_three_valued_and_row_logic_is_not(engine):
    vectorized = CPU + ' |> map(fn: (r) => ({r with c: r.nope == "x" and true}))'
    row_wise = CPU + ' |> map(fn: (row) => ({row with c: row.nope == "x" and true}))'
    assert tables(engine, vectorized)[0].frame["c"].to_list() == [None, None]
    assert tables(engine, row_wise)[0].frame["c"].to_list() == [False, False]


def test_conversions_regex_and_conditionals(engine):
    flux = MEM + ' |> map(fn: (r) => ({r with s: string(v: r._value), b: r.host =~ /^a/,' \
                 ' t: time(v: r._value), n: if r._value > 0 then "pos" else "neg"}))'
    (t,) = tables(engine, flux)
    assert t.frame["s"].to_list() == ["-7", "13"] and t.frame["b"].to_list() == [True, True]
    assert t.frame["n"].to_list() == ["neg", "pos"]
    assert t.frame["t"].dt.epoch("ns").to_list() == [-7, 13]


def test_a_conversion_error_names_the_value(engine):
    with pytest.raises(FluxRuntimeError, match='cannot convert string "boot" to int'):
        tables(engine, RANGE + ' |> filter(fn: (r) => r._measurement == "log")'
                               " |> map(fn: (r) => ({r with _value: int(v: r._value)}))")


def test_a_duration_cannot_be_a_column(engine):
    with pytest.raises(FluxRuntimeError, match='map object property "d" is duration type'):
        tables(engine, CPU + " |> map(fn: (r) => ({r with d: 1h}))")


def test_interpolating_a_null_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match="interpolated expression produced a null value"):
        tables(engine, CPU + ' |> map(fn: (r) => ({r with s: "${r.nope}"}))')


# -- the row-by-row fallback ---------------------------------------------------------------------
@pytest.mark.parametrize("fallback, compiled", [
    ("(r) => { y = 2.0\n return {r with _value: r._value * y, s: r.host + \"!\"} }",
     '(r) => ({r with _value: r._value * 2.0, s: r.host + "!"})'),
    ('(r) => ({r with h: shout(s: r.host)})', '(r) => ({r with h: r.host + "!"})'),
    ("(r) => { z = r._value\n return {x: z > 2.0, _time: r._time} }",
     "(r) => ({x: r._value > 2.0, _time: r._time})"),
])
def test_row_by_row_evaluation_gives_the_compiled_answer(engine, fallback, compiled):
    def rows(fn):  # the column order differs (only the compiled form is vectorized upstream)
        flux = 'shout = (s) => s + "!"\n' + CPU + f" |> map(fn: {fn})"
        return [(t.key_record(), t.frame.select(sorted(t.frame.columns)).rows())
                for t in tables(engine, flux)]
    assert rows(fallback) == rows(compiled)


def test_row_by_row_keeps_uint_and_time_types(engine):
    engine.write("b", f"disk,host=a io=5u {T0}\n")
    flux = RANGE + ' |> filter(fn: (r) => r._measurement == "disk")' \
        " |> map(fn: (r) => { return {r with u: r._value, t: r._time} })"
    (t,) = tables(engine, flux)
    assert str(t.frame["u"].dtype) == "UInt64" and t.frame["u"].to_list() == [5]
    assert t.frame["t"].dtype == t.frame["_time"].dtype


def test_fn_must_be_a_function_of_one_row(engine):
    with pytest.raises(FluxRuntimeError, match="fn must be a function"):
        tables(engine, CPU + " |> map(fn: 1)")
    with pytest.raises(FluxRuntimeError, match="exactly one parameter"):
        tables(engine, CPU + " |> map(fn: (a, b) => ({a}))")
