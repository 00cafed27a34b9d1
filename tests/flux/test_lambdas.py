"""Row functions compiled to Polars: record functions (map) with their Flux types, which of
them upstream vectorizes, and predicates (filter) as before."""

from __future__ import annotations

import polars as pl
import pytest

from tsengine.flux.interpreter import Interpreter
from tsengine.flux.lambdas import (
    NotCompilable,
    TypeConflict,
    compile_predicate,
    compile_record,
    is_vectorized,
)

FRAME = pl.DataFrame({"f": [1.5, -7.5, None], "i": [7, -7, None], "s": ["a", "b", None],
                      "b": [True, None, False]})


def closure(source: str):
    import tsengine.stdlib  # noqa: F401  (the universe's conversions)

    interp = Interpreter()
    program = interp.run(f"fn = {source}")
    return program["fn"], interp


def evaluate(source: str) -> dict[str, list[object]]:
    fn, interp = closure(source)
    compiled = compile_record(fn, interp, FRAME.schema)
    assert compiled.complete
    out = FRAME.select(e.alias(name) for name, (e, _) in compiled.columns.items())
    return {name: out[name].to_list() for name in out.columns}


@pytest.mark.parametrize("source, vectorized", [
    ("(r) => ({r with x: r.f * 2.0})", True),
    ("(r) => ({x: if r.b then -r.i else 0, y: exists r.s, z: float(v: r.i)})", True),
    ("(r) => { return {r with x: r.f > 1.0 and not r.b} }", True),
    ("(row) => ({row with x: row.f})", False),  # upstream vectorizes only `r`
    ('(r) => ({r with x: "${r.s}"})', False),
    ("(r) => ({r with x: r.s =~ /a/})", False),
    ("(r) => ({r with x: int(v: r.f)})", False),
    ("(r) => { y = 1\n return {r with x: y} }", False),
    ("(r) => r", False),
])
def test_which_functions_upstream_vectorizes(source, vectorized):
    assert is_vectorized(closure(source)[0]) is vectorized


def test_values_keep_their_flux_types():
    fn, interp = closure('(r) => ({r with n: r.nope, t: r.nope * 2, c: r.i > 0, u: "x"})')
    columns = compile_record(fn, interp, FRAME.schema).columns
    assert {k: v[1] for k, v in columns.items() if v} == {
        "f": "float", "i": "int", "s": "string", "b": "bool", "n": None, "t": "int",
        "c": "bool", "u": "string"}


def test_integer_arithmetic_truncates_toward_zero():
    assert evaluate("(r) => ({q: r.i / 2, m: r.i % 2})") == {"q": [3, -3, None],
                                                              "m": [1, -1, None]}


def test_float_remainder_and_division_as_go():
    out = evaluate("(r) => ({m: r.f % 2.0, d: r.f / 3.0})")
    assert out["m"] == [1.5, -1.5, None] and out["d"] == [0.5, -2.5, None]


def test_three_valued_logic_when_vectorized_row_logic_otherwise():
    assert evaluate("(r) => ({x: r.b and true})")["x"] == [True, None, False]
    assert evaluate("(row) => ({x: row.b and true})")["x"] == [True, False, False]


def test_mixed_arithmetic_is_a_type_conflict():
    fn, interp = closure("(r) => ({x: r.f * 2})")
    with pytest.raises(TypeConflict, match="type conflict: int != float"):
        compile_record(fn, interp, FRAME.schema)
    fn, interp = closure("(r) => ({x: float(v: r.i) * 2})")
    with pytest.raises(TypeConflict, match="expected float but found int"):
        compile_record(fn, interp, FRAME.schema)


def test_constructs_without_an_expression_form_are_left_to_the_row_evaluator():
    fn, interp = closure("(r) => ({r with d: 1h, x: r.i})")
    compiled = compile_record(fn, interp, FRAME.schema)
    assert compiled.columns["d"] is None and not compiled.complete
    fn, interp = closure("(r) => 1")
    with pytest.raises(NotCompilable):
        compile_record(fn, interp, FRAME.schema)


def test_guards_mark_rows_the_expressions_may_get_wrong():
    fn, interp = closure("(r) => ({q: r.i / r.i, t: int(v: r.s)})")
    compiled = compile_record(fn, interp, FRAME.schema)
    flags = FRAME.select(pl.any_horizontal(compiled.guards).alias("g"))["g"].to_list()
    assert flags == [True, True, False]  # "a"/"b" are no ints; the null row is fine


def test_predicates_are_unchanged():
    fn, interp = closure("(r) => r.f > 0.0 and r.s == \"a\"")
    mask = FRAME.select(compile_predicate(fn, interp, FRAME.schema))
    assert mask.to_series().to_list() == [True, False, False]
