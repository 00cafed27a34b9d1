"""math: Go's special cases (NaN, ±Inf, signed zeros, domain errors as NaN), Go's
algorithms where they differ from libm (log10, pow by an integer, pow10), nulls in and out,
and each expression form equal to the row evaluator."""

from __future__ import annotations

import math

import polars as pl
import pytest
from pkgcalls import both_ways, closure, same

from tsengine.errors import FluxRuntimeError
from tsengine.flux.values import UInt

INF, NAN = math.inf, math.nan
XS = [0.0, -0.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 1.0, -1.0, 3.0, 1000.0, 1e-300, 1e300, 710.0,
      -710.0, 0.999, INF, -INF, NAN, None]
FRAME = pl.DataFrame({"x": XS, "y": list(reversed(XS))}, schema={"x": pl.Float64,
                                                                 "y": pl.Float64})


def value(expr: str):
    fn, interp = closure(f"() => {expr}", "math")
    return interp.call(fn, {}, fn.node)


@pytest.mark.parametrize("expr, want", [
    ("math.floor(x: -0.5)", -1.0), ("math.ceil(x: -0.5)", -0.0), ("math.trunc(x: -0.5)", -0.0),
    ("math.round(x: 2.5)", 3.0), ("math.round(x: -2.5)", -3.0), ("math.round(x: -0.4)", -0.0),
    ("math.roundtoeven(x: 2.5)", 2.0), ("math.floor(x: math.mInf(sign: -1))", -INF),
    ("math.sqrt(x: -1.0)", NAN), ("math.sqrt(x: -0.0)", -0.0), ("math.log(x: 0.0)", -INF),
    ("math.log(x: -1.0)", NAN), ("math.log10(x: 1000.0)", 3.0), ("math.log2(x: 8.0)", 3.0),
    ("math.log1p(x: -1.0)", -INF), ("math.acos(x: 2.0)", NAN), ("math.atanh(x: 1.0)", INF),
    ("math.exp(x: 1000.0)", INF), ("math.cosh(x: 710.0)", INF), ("math.sinh(x: -710.0)", -INF),
    ("math.sin(x: math.mInf(sign: 1))", NAN), ("math.gamma(x: -0.0)", -INF),
    ("math.gamma(x: -2.0)", NAN), ("math.gamma(x: 5.0)", 24.0),
    ("math.pow(x: 2.0, y: 10.0)", 1024.0), ("math.pow(x: -0.0, y: -3.0)", -INF),
    ("math.pow(x: -8.0, y: 0.5)", NAN), ("math.pow(x: -1.0, y: math.mInf(sign: 1))", 1.0),
    ("math.pow10(n: 23)", 1e23), ("math.pow10(n: -400)", 0.0), ("math.pow10(n: 400)", INF),
    ("math.mod(x: -7.0, y: 2.0)", -1.0), ("math.mod(x: 1.0, y: 0.0)", NAN),
    ("math.remainder(x: 7.0, y: 2.0)", -1.0), ("math.dim(x: 1.0, y: 3.0)", 0.0),
    ("math.mMax(x: -0.0, y: 0.0)", 0.0), ("math.mMin(x: 0.0, y: -0.0)", -0.0),
    ("math.mMax(x: math.NaN(), y: math.mInf(sign: 1))", INF),
    ("math.mMin(x: math.NaN(), y: 1.0)", NAN), ("math.hypot(p: 3.0, q: 4.0)", 5.0),
    ("math.hypot(p: math.mInf(sign: -1), q: math.NaN())", INF),
    ("math.copysign(x: 3.0, y: -0.0)", -3.0), ("math.nextafter(x: 1.0, y: 1.0)", 1.0),
    ("math.erfinv(x: 1.0)", INF), ("math.erfinv(x: -0.0)", -0.0), ("math.erfcinv(x: 1.0)", 0.0),
    ("math.ldexp(frac: 0.5, exp: 3)", 4.0), ("math.ldexp(frac: -1.0, exp: 5000)", -INF),
    ("math.logb(x: 8.0)", 3.0), ("math.logb(x: 0.0)", -INF), ("math.ilogb(x: 0.0)", -(2**31)),
    ("math.ilogb(x: math.NaN())", 2**31 - 1), ("math.isInf(f: math.mInf(sign: -1), sign: 1)",
                                                False),
    ("math.isNaN(f: math.NaN())", True), ("math.signbit(x: -0.0)", True),
    ("math.float64bits(f: 1.0)", UInt(0x3FF0000000000000)),
    ("math.float64frombits(b: uint(v: 4611686018427387904))", 2.0),
    ("math.maxint", 2**63 - 1), ("math.minint", -(2**63)), ("math.maxuint", UInt(2**64 - 1)),
    ("math.pi", math.pi), ("math.log10e", 0.4342944819032518), ("math.phi", 1.618033988749895),
])
def test_go_semantics(expr, want):
    got = value(expr)
    assert same(got, want), f"{expr}: {got!r}"


@pytest.mark.parametrize("expr, want", [
    ("math.frexp(f: 8.0)", {"frac": 0.5, "exp": 4}),
    ("math.modf(f: -3.5)", {"int": -3.0, "frac": -0.5}),
    ("math.lgamma(x: -0.5)", {"lgamma": math.lgamma(-0.5), "sign": -1}),
    ("math.sincos(x: 0.0)", {"sin": 0.0, "cos": 1.0}),
])
def test_record_results(expr, want):
    assert dict(value(expr)) == want


def test_modf_of_inf_is_inf_and_nan():
    got = value("math.modf(f: math.mInf(sign: 1))")
    assert got["int"] == INF and math.isnan(got["frac"])


def test_a_null_gives_null_except_where_upstream_refuses_it():
    fn, interp = closure("(r) => math.abs(x: r)", "math")
    assert interp.call(fn, {"r": None}, fn.node) is None
    fn, interp = closure("(r) => math.frexp(f: r)", "math")
    with pytest.raises(FluxRuntimeError, match="frexp does not support null values"):
        interp.call(fn, {"r": None}, fn.node)


def test_an_int_argument_is_an_error():
    with pytest.raises(FluxRuntimeError, match="cannot convert argument x of type int to float"):
        value("math.abs(x: 1)")


@pytest.mark.parametrize("fn", [
    "abs", "sqrt", "exp", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan", "sinh",
    "cosh", "tanh", "floor", "ceil", "trunc", "round", "roundtoeven"])
def test_unary_forms_equal_the_row_evaluator(fn):
    values, guarded = both_ways(f"math.{fn}(x: r.x)", FRAME, "math")
    assert not any(guarded) and values[-1] is None


@pytest.mark.parametrize("expr", [
    "math.pow(x: r.x, y: 2.0)", "math.pow(x: r.x, y: 0.5)", "math.mMax(x: r.x, y: r.y)",
    "math.mMin(x: r.x, y: r.y)", "math.isNaN(f: r.x)", "math.signbit(x: r.x)",
    "math.floor(x: r.x * 3.0) / 3.0",
])
def test_other_forms_equal_the_row_evaluator(expr):
    both_ways(expr, FRAME, "math")


def test_random_values_agree():
    import random

    rng = random.Random(7)
    xs = [rng.uniform(-50, 50) for _ in range(300)] + [rng.uniform(-1, 1) for _ in range(300)]
    frame = pl.DataFrame({"x": xs, "y": xs[::-1]})
    for fn in ("sqrt", "exp", "log", "log10", "sin", "cos", "tan", "asin", "acos", "atan",
               "sinh", "cosh", "tanh", "round"):
        both_ways(f"math.{fn}(x: r.x)", frame, "math")
