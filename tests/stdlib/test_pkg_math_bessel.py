"""math Bessel functions: Go's values bit for bit (reference values printed by Go 1.19's math
package, as float64 bits), Go's special cases, nulls, and the compiled forms equal to the row
evaluator."""

from __future__ import annotations

import math
import struct

import numpy as np
import polars as pl
import pytest
from pkgcalls import both_ways, closure, same

from tsengine.stdlib.math import bessel

INF, NAN = math.inf, math.nan


def bits(v: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", v))[0]


# (function, n, x, Go's result as float64 bits)
GO = [
    ("j0", 0, 0.5, 0x3FEE07F1D54C3F34), ("j0", 0, 12.25, 0x3FB9D696A74ED787),
    ("j1", 0, -3.5, 0xBFC19596399CFF45), ("y0", 0, 0.25, 0xBFEDCF723B7D21F4),
    ("y1", 0, 7.5, 0xBFD0958FBF7FF0A4), ("jn", 5, 0.75, 0x3F0FA5F0F7D5C803),
    ("jn", -3, 9.5, 0x3FB0B8811E301A1C), ("yn", -3, 0.75, 0x4029F9B61FD4C7B2),
    ("jn", 40, 2.5, 0x36C955D7A43E12D2), ("j0", 0, 1e15, 0x3E3A714BB84165C1),
]


@pytest.mark.parametrize("name, n, x, want", GO)
def test_values_are_gos_to_the_bit(name, n, x, want):
    fn = getattr(bessel, name)
    got = float(fn(n, [x])[0] if name in ("jn", "yn") else fn([x])[0])
    assert bits(got) == want


@pytest.mark.parametrize("expr, want", [
    ("math.j0(x: 0.0)", 1.0), ("math.j0(x: math.mInf(sign: -1))", 0.0),
    ("math.j1(x: -0.0000000001)", 5e-11),  # Go drops the sign below 2^-27
    ("math.y0(x: 0.0)", -INF), ("math.y0(x: -1.0)", NAN), ("math.y1(x: math.mInf(sign: 1))", 0.0),
    ("math.jn(n: 3, x: 0.0)", 0.0), ("math.jn(n: 0, x: 0.0)", 1.0),
    ("math.yn(n: -3, x: 0.0)", INF), ("math.yn(n: 2, x: 0.0)", -INF),
    ("math.yn(n: 2, x: -2.0)", NAN), ("math.jn(n: 2, x: math.NaN())", NAN),
])
def test_special_values(expr, want):
    fn, interp = closure(f"() => {expr}", "math")
    assert same(interp.call(fn, {}, fn.node), want)


def test_null_gives_null():
    fn, interp = closure("(v) => math.jn(n: 2, x: v)", "math")
    assert interp.call(fn, {"v": None}, fn.node) is None


XS = [0.0, -0.0, 1e-12, 0.5, -0.5, 2.0, 2.8571, 4.5454, 8.0, -12.5, 100.0, 1e9, INF, -INF, NAN,
      None]


@pytest.mark.parametrize("expr", ["math.j0(x: r.x)", "math.j1(x: r.x)", "math.y0(x: r.x)",
                                  "math.y1(x: r.x)", "math.jn(n: 7, x: r.x)",
                                  "math.yn(n: -4, x: r.x)"])
def test_compiled_forms_equal_the_row_evaluator(expr):
    frame = pl.DataFrame({"x": XS}, schema={"x": pl.Float64})
    values, guarded = both_ways(expr, frame, "math")
    assert not any(guarded) and values[-1] is None


def test_recurrences_mask_elements_that_ended():
    xs = np.array([0.3, 5.0, 39.0, 41.0, 1e-30])  # backward, upward, tiny; yn reaching -Inf
    one_by_one = [bessel.jn(40, [x])[0] for x in xs]
    assert [bits(v) for v in bessel.jn(40, xs)] == [bits(v) for v in one_by_one]
    ys = [bessel.yn(300, [x])[0] for x in xs]
    assert [bits(v) for v in bessel.yn(300, xs)] == [bits(v) for v in ys]
    assert bessel.yn(300, [0.3])[0] == -INF
