"""The `math` package, as upstream's (Go's math package over Flux floats).

Go's special cases hold where Python's math module raises or differs: a domain error is NaN,
an overflow ±Inf, signed zeros are kept (`floor(x: -0.5)` is -1, `ceil(x: -0.5)` is -0),
`round` rounds half away from zero, `log10`/`log2`/`pow`/`pow10`/`hypot` follow Go's
algorithms, and the Bessel functions (`j0 j1 jn y0 y1 yn`, math/bessel.py) are Go's bit for
bit, Go's own sin/cos/log included. A null float argument gives null (frexp, lgamma, modf and
sincos refuse it). The other transcendental functions use the platform's libm, which may
differ from Go's own code in the last place for some inputs. Functions called over a table's
rows in map/filter have expression forms where Polars computes exactly what the row
evaluator does.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import polars as pl

from tsengine.flux.lambdas import CallArg, CompiledCall, NotCompilable, expression_form
from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import INT64_MAX, INT64_MIN, Record, UInt, type_name
from tsengine.stdlib.math import bessel

PKG = "math"
INF, NAN = math.inf, math.nan
# Go's 1/Ln10 and 1/Ln2, folded from exact constants (not 1/math.log(10), one ulp off)
INV_LN10, INV_LN2 = 0.4342944819032518, 1.4426950408889634

for _name, _value in {
    "pi": math.pi, "e": math.e, "phi": 1.618033988749895, "sqrt2": math.sqrt(2),
    "sqrte": 1.6487212707001282, "sqrtpi": 1.772453850905516, "sqrtphi": 1.272019649514069,
    "log2e": INV_LN2, "ln2": math.log(2), "ln10": math.log(10), "log10e": INV_LN10,
    "maxfloat": 1.7976931348623157e308,
    "smallestNonzeroFloat": 5e-324, "maxint": INT64_MAX, "minint": INT64_MIN,
    "maxuint": UInt(2**64 - 1),
}.items():
    REGISTRY.add(_value, _name, PKG)


# -- argument checks --------------------------------------------------------------------------
def _float(name: str, v: Any) -> float | None:
    if v is not None and not isinstance(v, float):
        raise OperatorError(f"cannot convert argument {name} of type {type_name(v)} to float")
    return v


def _int(name: str, v: Any) -> int | None:
    if v is not None and (isinstance(v, bool) or not isinstance(v, int)):
        raise OperatorError(f"cannot convert argument {name} of type {type_name(v)} to int")
    return v


# -- Go's special cases -----------------------------------------------------------------------
def _guarded(fn: Callable[[float], float], domain: float = NAN,
             overflow: Callable[[float], float] = lambda x: INF) -> Callable[[float], float]:
    """`fn` with Go's answers where Python raises: NaN (or `domain`) for a domain error,
    `overflow(x)` for a range error."""

    def call(x: float) -> float:
        try:
            return fn(x)
        except ValueError:
            return domain
        except OverflowError:
            return overflow(x)

    return call


def _signed_zero(fn: Callable[[float], float]) -> Callable[[float], float]:
    """An integral rounding that keeps infinities, NaN and the sign of zero, as Go's."""

    def call(x: float) -> float:
        if math.isinf(x) or math.isnan(x):
            return x
        return math.copysign(float(fn(x)), x)

    return call


def go_log(x: float) -> float:
    if x == 0:
        return -INF
    return NAN if x < 0 or math.isnan(x) else math.log(x)


def go_log10(x: float) -> float:
    return go_log(x) * INV_LN10


def go_log2(x: float) -> float:
    frac, exp = math.frexp(x)
    if frac == 0.5:  # an exact power of two
        return float(exp - 1)
    return go_log(frac) * INV_LN2 + exp


def go_log1p(x: float) -> float:
    if x == -1:
        return -INF
    return NAN if x < -1 else math.log1p(x)


def go_atanh(x: float) -> float:
    if x in (1.0, -1.0):
        return math.copysign(INF, x)
    return _guarded(math.atanh)(x)


def go_round(x: float) -> float:
    """Half away from zero."""
    if math.isinf(x) or math.isnan(x):
        return x
    t = math.trunc(x)
    if abs(x - t) >= 0.5:
        t += 1 if x > 0 else -1
    return math.copysign(float(t), x)


def go_gamma(x: float) -> float:
    if x == 0:
        return math.copysign(INF, x)
    if math.isinf(x):
        return INF if x > 0 else NAN
    if x < 0 and x == math.floor(x):
        return NAN
    try:
        return math.gamma(x)
    except OverflowError:
        return INF


def go_lgamma(x: float) -> tuple[float, int]:
    if math.isnan(x) or math.isinf(x):
        return x, 1
    if x == 0 or (x < 0 and x == math.floor(x)):
        return INF, 1
    sign = -1 if x < 0 and math.floor(x) % 2 else 1
    try:
        return math.lgamma(x), sign
    except OverflowError:
        return INF, sign


def go_ilogb(x: float) -> int:
    if x == 0:
        return -(2**31)
    if math.isnan(x) or math.isinf(x):
        return 2**31 - 1
    return math.frexp(x)[1] - 1


def go_logb(x: float) -> float:
    if x == 0:
        return -INF
    if math.isinf(x):
        return INF
    if math.isnan(x):
        return x
    return float(math.frexp(x)[1] - 1)


def go_cosh(x: float) -> float:
    """Go's Cosh: exp(|x|)/2 past 21, which overflows to +Inf where libm's does not."""
    if abs(x) > 21:
        return _guarded(math.exp)(abs(x)) * 0.5
    return math.cosh(x)


def go_sinh(x: float) -> float:
    if abs(x) > 21:
        return math.copysign(_guarded(math.exp)(abs(x)) * 0.5, x)
    return math.sinh(x)


def go_nextafter(x: float, y: float) -> float:
    return x if x == y else math.nextafter(x, y)


def go_mod(x: float, y: float) -> float:
    if y == 0 or math.isinf(x) or math.isnan(x) or math.isnan(y):
        return NAN
    return math.fmod(x, y)


def go_remainder(x: float, y: float) -> float:
    if math.isnan(x) or math.isnan(y) or math.isinf(x) or y == 0:
        return NAN
    return math.remainder(x, y)


def go_dim(x: float, y: float) -> float:
    v = x - y
    if math.isnan(v):
        return NAN
    return v if v > 0 else 0.0


def go_max(x: float, y: float) -> float:
    if math.isinf(x) and x > 0 or math.isinf(y) and y > 0:
        return INF
    if math.isnan(x) or math.isnan(y):
        return NAN
    if x == 0 and x == y:
        return y if math.copysign(1, x) < 0 else x  # +0 wins
    return x if x > y else y


def go_min(x: float, y: float) -> float:
    if math.isinf(x) and x < 0 or math.isinf(y) and y < 0:
        return -INF
    if math.isnan(x) or math.isnan(y):
        return NAN
    if x == 0 and x == y:
        return x if math.copysign(1, x) < 0 else y  # -0 wins
    return x if x < y else y


def go_hypot(p: float, q: float) -> float:
    """Go's Hypot: scaled to avoid overflow, p*sqrt(1+(q/p)^2)."""
    if math.isinf(p) or math.isinf(q):
        return INF
    if math.isnan(p) or math.isnan(q):
        return NAN
    p, q = abs(p), abs(q)
    if p < q:
        p, q = q, p
    if p == 0:
        return 0.0
    q = q / p
    return p * math.sqrt(1 + q * q)


def go_ldexp(frac: float, exp: int) -> float:
    try:
        return math.ldexp(frac, exp)
    except OverflowError:
        return math.copysign(INF, frac)


def _odd_int(y: float) -> bool:
    if abs(y) >= 2**53:
        return False
    yf, yi = math.modf(y)
    return yf == 0 and int(yi) % 2 == 1


def go_pow(x: float, y: float) -> float:
    """Go's Pow: special cases, then x**frac by exp/log and x**int by repeated squaring."""
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if math.isnan(x) or math.isnan(y):
        return NAN
    if x == 0:
        if y < 0:
            return math.copysign(INF, x) if _odd_int(y) else INF
        return x if _odd_int(y) else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else INF
    if math.isinf(x):
        if x < 0:
            return go_pow(1 / x, -y)
        return 0.0 if y < 0 else INF
    if y == 0.5:
        return _sqrt(x)
    if y == -0.5:
        return 1 / _sqrt(x)
    yf, yi = math.modf(abs(y))
    if yf != 0 and x < 0:
        return NAN
    if yi >= 2**63:
        if x == -1:
            return 1.0
        return 0.0 if (abs(x) < 1) == (y > 0) else INF
    a1, ae = 1.0, 0
    if yf != 0:
        if yf > 0.5:
            yf -= 1
            yi += 1
        a1 = _guarded(math.exp, overflow=lambda _: INF)(yf * math.log(x))
    x1, xe = math.frexp(x)
    i = int(yi)
    while i:
        if not -(1 << 12) <= xe <= (1 << 12):
            ae += xe
            break
        if i & 1:
            a1 *= x1
            ae += xe
        x1 *= x1
        xe <<= 1
        if x1 < 0.5:
            x1 += x1
            xe -= 1
        i >>= 1
    if y < 0:
        a1, ae = 1 / a1, -ae
    return go_ldexp(a1, ae)


_POW10 = [float(f"1e{i}") for i in range(32)]


def go_pow10(n: int) -> float:
    if 0 <= n <= 308:
        return float(f"1e{n // 32 * 32}") * _POW10[n % 32]
    if -323 <= n <= 0:
        return float(f"1e-{-n // 32 * 32}") / _POW10[-n % 32]
    return INF if n > 0 else 0.0


def go_modf(f: float) -> tuple[float, float]:
    """(int part, fractional part), both with f's sign; Inf gives (Inf, NaN)."""
    if math.isinf(f):
        return f, NAN
    frac, whole = math.modf(f)
    return whole, frac


def _sqrt(x: float) -> float:
    return NAN if x < 0 else math.sqrt(x)


def _erfinv_poly(coeffs: tuple[float, ...], r: float) -> float:
    out = coeffs[7]
    for c in reversed(coeffs[:7]):
        out = out * r + c
    return out


_ERFINV = {
    "a": (1.1975323115670912564578e0, 4.7072688112383978012285e1, 6.9706266534389598238465e2,
          4.8548868893843886794648e3, 1.6235862515167575384252e4, 2.3782041382114385731252e4,
          1.1819493347062294404278e4, 8.8709406962545514830200e2),
    "b": (1.0, 4.2313330701600911252e1, 6.8718700749205790830e2, 5.3941960214247511077e3,
          2.1213794301586595867e4, 3.9307895800092710610e4, 2.8729085735721942674e4,
          5.2264952788528545610e3),
    "c": (1.42343711074968357734e0, 4.63033784615654529590e0, 5.76949722146069140550e0,
          3.64784832476320460504e0, 1.27045825245236838258e0, 2.41780725177450611770e-1,
          2.27238449892691845833e-2, 7.74545014278341407640e-4),
    "d": (1.4142135623730950488016887e0, 2.9036514445419946173133295e0,
          2.3707661626024532365971225e0, 9.7547832001787427186894837e-1,
          2.0945065210512749128288442e-1, 2.1494160384252876777097297e-2,
          7.7441459065157709165577218e-4, 1.4859850019840355905497876e-9),
    "e": (6.65790464350110377720e0, 5.46378491116411436990e0, 1.78482653991729133580e0,
          2.96560571828504891230e-1, 2.65321895265761230930e-2, 1.24266094738807843860e-3,
          2.71155556874348757815e-5, 2.01033439929228813265e-7),
    "f": (1.414213562373095048801689e0, 8.482908416595164588112026e-1,
          1.936480946950659106176712e-1, 2.103693768272068968719679e-2,
          1.112800997078859844711555e-3, 2.611088405080593625138020e-5,
          2.010321207683943062279931e-7, 2.891024605872965461538222e-15),
}


def go_erfinv(x: float) -> float:
    """Go's Erfinv (Giles' rational approximations)."""
    if math.isnan(x) or x <= -1 or x >= 1:
        return math.copysign(INF, x) if x in (1.0, -1.0) else NAN
    sign = x < 0
    x = -x if sign else x  # -0 stays -0
    if x <= 0.85:
        r = 0.180625 - 0.25 * x * x
        ans = (x * _erfinv_poly(_ERFINV["a"], r)) / _erfinv_poly(_ERFINV["b"], r)
    else:
        r = math.sqrt(math.log(2) - math.log(1.0 - x))
        num, den = ("c", "d") if r <= 5.0 else ("e", "f")
        r -= 1.6 if r <= 5.0 else 5.0
        ans = _erfinv_poly(_ERFINV[num], r) / _erfinv_poly(_ERFINV[den], r)
    return -ans if sign else ans


ONE_ARG: dict[str, Callable[[float], float]] = {
    "abs": abs, "acos": _guarded(math.acos), "acosh": _guarded(math.acosh),
    "asin": _guarded(math.asin), "asinh": math.asinh, "atan": math.atan, "atanh": go_atanh,
    "cbrt": math.cbrt, "ceil": _signed_zero(math.ceil),
    "cos": _guarded(math.cos), "cosh": go_cosh,
    "erf": math.erf, "erfc": math.erfc, "erfinv": go_erfinv,
    "erfcinv": lambda x: go_erfinv(1 - x), "exp": _guarded(math.exp),
    "exp2": _guarded(math.exp2), "expm1": _guarded(math.expm1),
    "floor": _signed_zero(math.floor), "gamma": go_gamma, "log": go_log, "log10": go_log10,
    "log1p": go_log1p, "log2": go_log2, "logb": go_logb, "round": go_round,
    "roundtoeven": _signed_zero(round), "sin": _guarded(math.sin),
    "sinh": go_sinh, "sqrt": _sqrt,
    "tan": _guarded(math.tan), "tanh": math.tanh, "trunc": _signed_zero(math.trunc),
}
TWO_ARGS: dict[str, tuple[Callable[[float, float], float], tuple[str, str]]] = {
    "atan2": (math.atan2, ("y", "x")), "copysign": (math.copysign, ("x", "y")),
    "dim": (go_dim, ("x", "y")), "hypot": (go_hypot, ("p", "q")),
    "mMax": (go_max, ("x", "y")), "mMin": (go_min, ("x", "y")), "mod": (go_mod, ("x", "y")),
    "nextafter": (go_nextafter, ("x", "y")), "pow": (go_pow, ("x", "y")),
    "remainder": (go_remainder, ("x", "y")),
}


def _one_arg(name: str, fn: Callable[[float], float]) -> None:
    def impl(ctx: Any, x: Any) -> float | None:
        value = _float("x", x)
        return None if value is None else fn(value)

    builtin(name, package=PKG)(impl)


def _two_args(name: str, fn: Callable[[float, float], float], names: tuple[str, str]) -> None:
    first, second = names

    def impl(ctx: Any, **args: Any) -> float | None:
        a, b = _float(first, args[first]), _float(second, args[second])
        return None if a is None or b is None else fn(a, b)

    impl.__signature__ = _signature(names)  # type: ignore[attr-defined]
    builtin(name, package=PKG)(impl)


def _signature(names: tuple[str, ...]) -> Any:
    import inspect

    params = [inspect.Parameter("ctx", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY) for n in names]
    return inspect.Signature(params)


for _name, _fn in ONE_ARG.items():
    _one_arg(_name, _fn)
for _name, (_fn2, _names) in TWO_ARGS.items():
    _two_args(_name, _fn2, _names)


# -- functions with other argument or result types ------------------------------------------
def _not_null(fn: str, v: float | None) -> float:
    if v is None:
        raise OperatorError(f"{fn} does not support null values")
    return v


@builtin("float64bits", package=PKG)
def float64bits(ctx: Any, f: Any) -> UInt | None:
    import struct

    value = _float("f", f)
    return None if value is None else UInt(struct.unpack("<Q", struct.pack("<d", value))[0])


@builtin("float64frombits", package=PKG)
def float64frombits(ctx: Any, b: Any) -> float | None:
    import struct

    if b is not None and not isinstance(b, UInt):
        raise OperatorError(f"cannot convert argument b of type {type_name(b)} to uint")
    return None if b is None else struct.unpack("<d", struct.pack("<Q", b.value))[0]


@builtin("ilogb", package=PKG)
def ilogb(ctx: Any, x: Any) -> int | None:
    value = _float("x", x)
    return None if value is None else go_ilogb(value)


@builtin("frexp", package=PKG)
def frexp(ctx: Any, f: Any) -> Record:
    frac, exp = math.frexp(_not_null("frexp", _float("f", f)))
    return Record({"frac": frac, "exp": exp})


@builtin("lgamma", package=PKG)
def lgamma(ctx: Any, x: Any) -> Record:
    value, sign = go_lgamma(_not_null("lgamma", _float("x", x)))
    return Record({"lgamma": value, "sign": sign})


@builtin("modf", package=PKG)
def modf(ctx: Any, f: Any) -> Record:
    whole, frac = go_modf(_not_null("modf", _float("f", f)))
    return Record({"int": whole, "frac": frac})


@builtin("sincos", package=PKG)
def sincos(ctx: Any, x: Any) -> Record:
    value = _not_null("sincos", _float("x", x))
    return Record({"sin": ONE_ARG["sin"](value), "cos": ONE_ARG["cos"](value)})


@builtin("isInf", package=PKG)
def is_inf(ctx: Any, f: Any, sign: Any) -> bool | None:
    value, s = _float("f", f), _int("sign", sign)
    if value is None or s is None:
        return None
    return value == INF and s >= 0 or value == -INF and s <= 0


@builtin("isNaN", package=PKG)
def is_nan(ctx: Any, f: Any) -> bool | None:
    value = _float("f", f)
    return None if value is None else math.isnan(value)


@builtin("signbit", package=PKG)
def signbit(ctx: Any, x: Any) -> bool | None:
    value = _float("x", x)
    return None if value is None else math.copysign(1, value) < 0


@builtin("NaN", package=PKG)
def nan(ctx: Any) -> float:
    return NAN


@builtin("mInf", package=PKG)
def m_inf(ctx: Any, sign: Any) -> float | None:
    s = _int("sign", sign)
    return None if s is None else (INF if s >= 0 else -INF)


@builtin("ldexp", package=PKG)
def ldexp(ctx: Any, frac: Any, exp: Any) -> float | None:
    f, e = _float("frac", frac), _int("exp", exp)
    return None if f is None or e is None else go_ldexp(f, e)


@builtin("pow10", package=PKG)
def pow10(ctx: Any, n: Any) -> float | None:
    value = _int("n", n)
    return None if value is None else go_pow10(value)


# -- expression forms -------------------------------------------------------------------------
def _floats(args: dict[str, CallArg], *names: str) -> list[pl.Expr]:
    out = []
    for name in names:
        arg = args.get(name)
        if arg is None or arg.kind != "float":
            raise NotCompilable(f"math argument {name} is not a float")
        out.append(arg.expr.cast(pl.Float64))
    return out


def _nan_or(x: pl.Expr, domain: pl.Expr, value: pl.Expr) -> pl.Expr:
    return pl.when(domain).then(pl.lit(NAN)).otherwise(value)


def _copysign_zero(value: pl.Expr, x: pl.Expr) -> pl.Expr:
    """A zero result signed as x (Go's integral roundings keep the sign)."""
    negative = (x < 0) | ((x == 0) & (pl.lit(1.0) / x < 0))
    return pl.when(value == 0).then(pl.when(negative).then(-0.0).otherwise(0.0)
                                    ).otherwise(value)


_UNARY_FORMS: dict[str, Callable[[pl.Expr], pl.Expr]] = {
    "abs": lambda x: x.abs(),
    "sqrt": lambda x: _nan_or(x, x < 0, x.sqrt()),
    "exp": lambda x: x.exp(),
    "log": lambda x: _nan_or(x, x < 0, x.log()),
    "log10": lambda x: _nan_or(x, x < 0, x.log()) * INV_LN10,
    "sin": lambda x: x.sin(), "cos": lambda x: x.cos(), "tan": lambda x: x.tan(),
    "asin": lambda x: x.arcsin(), "acos": lambda x: x.arccos(), "atan": lambda x: x.arctan(),
    "sinh": lambda x: pl.when(x.abs() > 21).then((x.abs().exp() * 0.5) * x.sign())
                        .otherwise(x.sinh()),
    "cosh": lambda x: pl.when(x.abs() > 21).then(x.abs().exp() * 0.5).otherwise(x.cosh()),
    "tanh": lambda x: x.tanh(),
    "floor": lambda x: _copysign_zero(x.floor(), x),
    "ceil": lambda x: _copysign_zero(x.ceil(), x),
    "trunc": lambda x: _copysign_zero(pl.when(x < 0).then(x.ceil()).otherwise(x.floor()), x),
    "round": lambda x: _copysign_zero(x.round(0, mode="half_away_from_zero"), x),
    "roundtoeven": lambda x: _copysign_zero(x.round(0, mode="half_to_even"), x),
}


def _unary_form(name: str, fn: Callable[[pl.Expr], pl.Expr]) -> None:
    @expression_form(name, PKG)
    def form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
        (x,) = _floats(args, "x")
        return fn(x), "float", []


for _name, _form in _UNARY_FORMS.items():
    _unary_form(_name, _form)


@expression_form("pow", PKG)
def _pow_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    x, _ = _floats(args, "x", "y")
    y = args["y"].value
    if y == 0.5 and args["y"].constant:  # Go: +0 for ±0, +Inf for -Inf, NaN below zero
        root = (pl.when(x == 0).then(0.0).when(x == -INF).then(INF).when(x < 0).then(NAN)
                .otherwise(x.sqrt()))
        return root, "float", []
    if y == 2.0 and args["y"].constant:  # Go squares the mantissa: x*x but near underflow
        return x * x, "float", [x.abs() < 1e-150]
    raise NotCompilable("pow by other than 0.5 or 2")


@expression_form("isNaN", PKG)
def _is_nan_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (f,) = _floats(args, "f")
    return f.is_nan(), "bool", []


@expression_form("signbit", PKG)
def _signbit_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    (x,) = _floats(args, "x")
    return (x < 0) | ((x == 0) & (pl.lit(1.0) / x < 0)), "bool", [x.is_nan()]


@expression_form("mMax", PKG)
def _max_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    x, y = _floats(args, "x", "y")
    out = pl.when(x.is_null() | y.is_null()).then(None).otherwise(pl.max_horizontal(x, y))
    return out, "float", [x.is_nan() | y.is_nan() | ((x == 0) & (y == 0))]


@expression_form("mMin", PKG)
def _min_form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
    x, y = _floats(args, "x", "y")
    out = pl.when(x.is_null() | y.is_null()).then(None).otherwise(pl.min_horizontal(x, y))
    return out, "float", [x.is_nan() | y.is_nan() | ((x == 0) & (y == 0))]


# -- Bessel functions (math/bessel.py) -------------------------------------------------------
def _bessel_x(name: str, fn: Callable[[Any], Any]) -> None:
    def impl(ctx: Any, x: Any) -> float | None:
        value = _float("x", x)
        return None if value is None else float(fn([value])[0])

    builtin(name, package=PKG)(impl)

    @expression_form(name, PKG)
    def form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
        (x,) = _floats(args, "x")
        return _over_floats(x, fn), "float", []


def _bessel_nx(name: str, fn: Callable[[int, Any], Any]) -> None:
    def impl(ctx: Any, n: Any, x: Any) -> float | None:
        order, value = _int("n", n), _float("x", x)
        return None if order is None or value is None else float(fn(order, [value])[0])

    builtin(name, package=PKG)(impl)

    @expression_form(name, PKG)
    def form(args: dict[str, CallArg], _interp: Any) -> CompiledCall:
        (x,) = _floats(args, "x")
        n = args.get("n")
        if n is None or not n.constant or isinstance(n.value, bool) \
                or not isinstance(n.value, int):
            raise NotCompilable(f"math.{name} with an order that is not a constant int")
        order: int = n.value
        return _over_floats(x, lambda v: fn(order, v)), "float", []


def _over_floats(x: pl.Expr, fn: Callable[[Any], Any]) -> pl.Expr:
    """`fn` (a NumPy function of a float array) over a column, nulls kept."""
    def batch(s: pl.Series) -> pl.Series:
        return pl.Series(s.name, fn(s.fill_null(0.0).to_numpy()), dtype=pl.Float64)

    mapped = x.map_batches(batch, return_dtype=pl.Float64, is_elementwise=True)
    return pl.when(x.is_null()).then(pl.lit(None, pl.Float64)).otherwise(mapped)


for _name, _bfn in {"j0": bessel.j0, "j1": bessel.j1, "y0": bessel.y0, "y1": bessel.y1}.items():
    _bessel_x(_name, _bfn)
_bessel_nx("jn", bessel.jn)
_bessel_nx("yn", bessel.yn)
