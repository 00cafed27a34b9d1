"""Evaluation: exact values of arithmetic, comparisons, null and logic rules, closures, records,
string interpolation, conversions, calendar arithmetic, now() and options."""

from __future__ import annotations

import math

import pytest

from tsengine.errors import FluxRuntimeError
from tsengine.flux.functions import Closure
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.registry import REGISTRY, Registry
from tsengine.flux.values import Array, Dict, Duration, Record, Time, UInt

H = 3_600_000_000_000
D = 24 * H
ROW = Record({"a": 1, "s": "x"}, row=True)  # a table row: missing columns read as null


def t(text: str) -> Time:
    """A time from RFC3339 text, computed independently of the lexer."""
    from datetime import datetime
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    whole = int(dt.replace(microsecond=0).timestamp())
    frac = text.split(".")[1].rstrip("Z") if "." in text else ""
    return Time(whole * 1_000_000_000 + int(frac.ljust(9, "0") or 0))


# -- arithmetic --------------------------------------------------------------------------------
@pytest.mark.parametrize("expression, value", [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("7 / 2", 3),
    ("-7 / 2", -3),
    ("7 / -2", -3),
    ("-7 / -2", 3),
    ("7 % 3", 1),
    ("-7 % 3", -1),
    ("7 % -3", 1),
    ("-7 % -3", -1),
    ("10 - 2 - 3", 5),
    ("9223372036854775807 + 1", -9223372036854775808),
    ("-9223372036854775807 - 2", 9223372036854775807),
    ("9223372036854775807 * 2", -2),
    ("- (-9223372036854775807 - 1)", -9223372036854775808),
    ("7.5 / 2.0", 3.75),
    ("7.5 % 2.0", 1.5),
    ("-7.5 % 2.0", -1.5),
    ("0.1 + 0.2", 0.30000000000000004),
    ("2.0 ^ 0.5", math.sqrt(2.0)),
    ("- -5", 5),
    ("+5", 5),
])
def test_arithmetic(ev, expression, value):
    result = ev(expression)
    assert result == value and type(result) is type(value)


def test_float_division_by_zero(ev):
    assert ev("1.0 / 0.0") == math.inf
    assert ev("-1.0 / 0.0") == -math.inf
    assert math.isnan(ev("0.0 / 0.0"))


def test_power_returns_float_even_for_ints(ev):
    assert ev("2 ^ 3") == 8.0 and isinstance(ev("2 ^ 3"), float)
    assert ev("2 ^ -1") == 0.5
    assert ev("2.0 ^ 3.0 ^ 2.0") == 64.0  # left-associative: (2^3)^2


@pytest.mark.parametrize("expression, value", [
    ("10.0 ^ 400.0", math.inf),          # Go's math.Pow overflows to +Inf, not an error
    ("2 ^ 10000", math.inf),
    ("(-2) ^ 10001", -math.inf),
    ("0.0 ^ -1.0", math.inf),
    ("(0.0 * -1.0) ^ -1.0", -math.inf),
    ("(0.0 * -1.0) ^ -2.0", math.inf),
    ("0 ^ 0", 1.0),
    ("2 ^ -1100", 0.0),
    ("(1.0 / 0.0) % 2.0", math.nan),      # Mod(Inf, y) is NaN
    ("5.0 % 0.0", math.nan),
    ("5.5 % (1.0 / 0.0)", 5.5),
    ("(-8.0) ^ (1.0 / 3.0)", math.nan),   # a negative base to a fractional power
])
def test_float_edge_cases(ev, expression, value):
    result = ev(expression)
    assert isinstance(result, float)
    assert math.isnan(result) if math.isnan(value) else result == value


def test_no_int_float_mixing(run):
    with pytest.raises(FluxRuntimeError, match="cannot apply \\* to float and int"):
        run("x = 1.5 * 2")


def test_uint_arithmetic(ev):
    assert ev("uint(v: 1) - uint(v: 2)") == UInt(2**64 - 1)
    assert ev("uint(v: 7) / uint(v: 2)") == UInt(3)
    assert ev("uint(v: 7) % uint(v: 4)") == UInt(3)
    assert ev("uint(v: \"18446744073709551615\") + uint(v: 2)") == UInt(1)


def test_duration_arithmetic(ev):
    assert ev("1h + 30m") == Duration(0, H + 30 * 60 * 10**9)
    assert ev("1d - 2d") == Duration(0, -D)
    assert ev("1mo + 1d") == Duration(1, D)
    assert ev("-1h") == Duration(0, -H)
    assert ev("-(1y2mo)") == Duration(-14, 0)


def test_string_concatenation(ev):
    assert ev('"foo" + "bar" + ""') == "foobar"
    assert ev('"a" + "${1 + 1}"') == "a2"


# -- comparisons -------------------------------------------------------------------------------
@pytest.mark.parametrize("expression, value", [
    ('"a" < "b"', True),
    ('"B" < "a"', True),           # bytes: uppercase first
    ('"abc" < "abd"', True),
    ('"ab" < "abc"', True),
    ('"" < "a"', True),
    ('"é" > "z"', True),           # UTF-8 bytes 0xC3.. sort after ASCII
    ('"a" == "a"', True),
    ('"a" != "a"', False),
    ("1 < 1.5", True),
    ("1 == 1.0", True),
    ("2 != 2.0", False),
    ("uint(v: 1) == 1", True),
    ("uint(v: 3) > 2.5", True),
    ("-1 < uint(v: 0)", True),
    ("3 >= 3", True),
    ("3 <= 2", False),
    ("1h < 2h", True),
    ("1mo > 30d", True),           # months compare as 730h30m
    ("1mo < 31d", True),
    ("2024-01-01 < 2024-01-02", True),
    ("2024-01-01 == 2024-01-01T00:00:00Z", True),
    ("true == true", True),
    ('"web-01" =~ /^web-\\d+$/', True),
    ('"db-01" =~ /^web/', False),
    ('"db-01" !~ /^web/', True),
    ('"xweb" =~ /web/', True),     # an unanchored search
])
def test_comparisons(ev, expression, value):
    assert ev(expression) is value


def test_int_meets_float_as_float64(ev):
    # as upstream: float64(int) == float, so 2^53 + 1 equals the float 2^53
    assert ev("9007199254740993 == 9007199254740992.0") is True
    assert ev("9007199254740993 > 9007199254740992.0") is False
    assert ev("9007199254740993 > 9007199254740992") is True
    assert ev("uint(v: 9007199254740993) == 9007199254740992.0") is True


# -- null --------------------------------------------------------------------------------------
@pytest.mark.parametrize("expression", [
    "r.nope", "r.nope + 1", "1 + r.nope", "r.nope * 2.0", 'r.nope + "s"', "-r.nope",
    "r.nope == 1", "r.nope == r.nope", "r.nope < 2", 'r.nope =~ /a/', "not (r.nope == 1)",
    "int(v: r.nope)", "float(v: r.nope)", "string(v: r.nope)", "bool(v: r.nope)",
    "time(v: r.nope)", "duration(v: r.nope)", "uint(v: r.nope)",
])
def test_null_propagates(ev, expression):
    assert ev(expression, r=ROW) is None


def test_exists(ev):
    assert ev("exists r.nope", r=ROW) is False
    assert ev("exists r.a", r=ROW) is True
    assert ev('exists r["s"]', r=ROW) is True
    assert ev("not exists r.nope", r=ROW) is True


@pytest.mark.parametrize("expression, value", [
    ("true and true", True),
    ("true and false", False),
    ("false or true", True),
    ("false or false", False),
    ("not true", False),
    ("not false", True),
    # the row-at-a-time evaluator's rules for null (flux-semantics 1.4)
    ("null and true", False),
    ("null and false", False),
    ("true and null", None),
    ("false and null", False),
    ("null or true", True),
    ("null or false", False),
    ("false or null", None),
    ("true or null", True),
    ("not null", None),
])
def test_logic(ev, expression, value):
    assert ev(expression.replace("null", "(r.nope == 1)"), r=ROW) is value


def test_logic_short_circuits(ev):
    assert ev("false and 1 / 0 == 1") is False
    assert ev("true or 1 / 0 == 1") is True


def test_if_then_else(ev):
    assert ev("if 1 < 2 then \"yes\" else \"no\"") == "yes"
    assert ev("if 1 > 2 then \"yes\" else \"no\"") == "no"
    assert ev("if r.nope == 1 then \"yes\" else \"no\"", r=ROW) == "no"  # null takes else
    assert ev("if false then 1 / 0 else 2") == 2                          # lazy branches
    assert ev("if true then 1 else if true then 2 else 3") == 1


# -- functions ---------------------------------------------------------------------------------
def test_closures_capture_their_scope(run):
    program = run("""
n = 10
add = (x) => x + n
make = (k) => (x) => x * k
double = make(k: 2)
triple = make(k: 3)
a = add(x: 1)
b = double(x: 21)
c = triple(x: 2)
""")
    assert (program["a"], program["b"], program["c"]) == (11, 42, 6)
    assert isinstance(program["add"], Closure) and program["add"].name == "add"


def test_block_scopes_shadow_without_rebinding(run):
    program = run("""
x = 1
f = () => {
    x = 2
    y = x * 10
    return y + x
}
r = f()
""")
    assert (program["x"], program["r"]) == (1, 22)


def test_defaults_are_evaluated_per_call(run):
    program = run("""
f = (a=1, b=a * 2) => a + b
p = f()
q = f(a: 5)
s = f(a: 5, b: 0)
""")
    assert (program["p"], program["q"], program["s"]) == (3, 15, 5)


def test_shorthand_arguments_and_properties(run):
    program = run("""
v = 3
f = (v) => v * 2
a = f(v)
rec = {v, w: 1}
""")
    assert program["a"] == 6
    assert program["rec"] == Record({"v": 3, "w": 1})


def test_pipe_arguments_with_a_user_function(run):
    program = run("""
scale = (tables=<-, n) => tables * n
add = (x=<-, y=1) => x + y
a = 3 |> scale(n: 2)
b = scale(tables: 4, n: 2)
c = 5 |> add()
d = 5 |> add(y: 10) |> scale(n: 2)
e = -2 |> add()
""")
    assert [program[k] for k in "abcde"] == [6, 8, 6, 30, -1]


def test_block_body_functions(run):
    program = run("""
classify = (v) => {
    big = v > 100
    label = if big then "big" else "small"
    return "${label}:${v}"
}
a = classify(v: 5)
b = classify(v: 500)
""")
    assert (program["a"], program["b"]) == ("small:5", "big:500")


def test_a_function_calling_itself_is_an_error_not_a_crash(run):
    with pytest.raises(FluxRuntimeError) as err:
        run("f = (n) => f(n: n + 1)\nx = 1\ny = f(n: 0)")
    assert err.value.message == ("the script recurses or nests too deeply to evaluate "
                                 "(a function that calls itself?)")
    assert (err.value.line, err.value.column) == (3, 1)


def test_functions_as_values(run):
    program = run("""
apply = (f, x) => f(v: x)
a = apply(f: (v) => v + 1, x: 1)
b = apply(f: string, x: 1.5)
""")
    assert (program["a"], program["b"]) == (2, "1.5")


# -- records, arrays, dicts --------------------------------------------------------------------
def test_records_and_with(run):
    program = run("""
r = {a: 1, b: "x", "c d": 2.5}
s = {r with b: "y", e: true}
a = s.a
b = s["b"]
cd = r["c d"]
""")
    assert program["s"] == Record({"a": 1, "b": "y", "c d": 2.5, "e": True})
    assert list(program["s"]) == ["a", "b", "c d", "e"]
    assert (program["a"], program["b"], program["cd"]) == (1, "y", 2.5)


def test_with_keeps_a_row_a_row(ev):
    rec = ev("{r with z: 1}", r=ROW)
    assert rec == Record({"a": 1, "s": "x", "z": 1}) and rec.row is True


def test_arrays(ev):
    assert ev("[1, 2, 3]") == Array([1, 2, 3])
    assert ev("[1, 2, 3][1]") == 2
    assert ev("[[1], [2, 3]][1][0]") == 2
    assert ev("[]") == Array([])
    assert ev('["a", "b"][0] + "!"') == "a!"


def test_mixed_array_is_an_error(run):
    with pytest.raises(FluxRuntimeError, match="array elements must have one type"):
        run("x = [1, 1.0]")


def test_dicts(ev):
    d = ev('["a": 1, "b": 2]')
    assert isinstance(d, Dict) and dict(d) == {"a": 1, "b": 2}
    assert dict(ev("[:]")) == {}
    assert dict(ev("[1: \"one\", 2: \"two\"]")) == {1: "one", 2: "two"}


# -- string interpolation ----------------------------------------------------------------------
@pytest.mark.parametrize("expression, text", [
    ("1", "1"),
    ("-42", "-42"),
    ("uint(v: 7)", "7"),
    ("1.0", "1"),
    ("0.1", "0.1"),
    ("-1.5", "-1.5"),
    ("1.0 / 3.0", "0.3333333333333333"),
    ("123456789.125", "123456789.125"),
    ("10.0 ^ 21.0", "1000000000000000000000"),
    ("0.000001", "0.000001"),
    ("1.0 / 0.0", "+Inf"),
    ("true", "true"),
    ("false", "false"),
    ('"s"', "s"),
    ("2020-01-01T01:01:01Z", "2020-01-01T01:01:01.000000000Z"),
    ("2024-01-01T00:00:00.5+01:00", "2023-12-31T23:00:00.500000000Z"),
    ("1h", "1h"),
    ("1h30m", "1h30m"),
    ("90m", "1h30m"),
    ("1mo5d", "1mo5d"),
    ("14mo", "1y2mo"),
    ("1y2mo", "1y2mo"),
    ("9d", "1w2d"),
    ("0s", "0ns"),
    ("-5m", "-5m"),
    ("1500ms", "1s500ms"),
    ("1µs", "1us"),
])
def test_interpolation_formatting(ev, expression, text):
    assert ev(f'"${{{expression}}}"') == text


def test_interpolation_in_context(ev):
    assert ev('"host ${r.s} has ${r.a + 1} items"', r=ROW) == "host x has 2 items"
    assert ev('"${"a" + "${1}"}b"') == "a1b"
    assert ev('"\\${not interpolated}"') == "${not interpolated}"


# -- conversions -------------------------------------------------------------------------------
@pytest.mark.parametrize("expression, value", [
    ('float(v: "1.5")', 1.5),
    ('float(v: "-2")', -2.0),
    ('float(v: "+Inf")', math.inf),
    ("float(v: 3)", 3.0),
    ("float(v: uint(v: 4))", 4.0),
    ("float(v: true)", 1.0),
    ("float(v: false)", 0.0),
    ("int(v: -1.9)", -1),
    ("int(v: 1.9)", 1),
    ('int(v: "42")', 42),
    ('int(v: "-7")', -7),
    ("int(v: true)", 1),
    ("int(v: uint(v: 5))", 5),
    ("int(v: 2024-01-01T00:00:00Z)", 1_704_067_200_000_000_000),
    ("int(v: 1h)", H),
    ("int(v: 1mo)", 2_629_800_000_000_000),   # 730h30m
    ("int(v: 1y)", 8766 * H),
    ("uint(v: -1)", UInt(2**64 - 1)),
    ('uint(v: "7")', UInt(7)),
    ("uint(v: 2.9)", UInt(2)),
    ("string(v: 1.0)", "1"),
    ("string(v: 541)", "541"),
    ("string(v: 3m4s)", "3m4s"),
    ("string(v: 2006-01-02T22:04:05.999999999Z)", "2006-01-02T22:04:05.999999999Z"),
    ("string(v: false)", "false"),
    ('bool(v: "true")', True),
    ('bool(v: "false")', False),
    ("bool(v: 0)", False),
    ("bool(v: 1.0)", True),
    ("bool(v: uint(v: 1))", True),
    ('time(v: "2024-01-01T00:00:00Z")', Time(1_704_067_200_000_000_000)),
    ('time(v: "2024-01-01")', Time(1_704_067_200_000_000_000)),
    ("time(v: 1136239445)", Time(1136239445)),
    ("time(v: -1)", Time(-1)),
    ('duration(v: "1h30m")', Duration(0, H + 30 * 60 * 10**9)),
    ('duration(v: "-1mo5d")', Duration(-1, -5 * D)),
    ("duration(v: 60000000000)", Duration(0, 60 * 10**9)),
])
def test_conversions(ev, expression, value):
    result = ev(expression)
    assert result == value and type(result) is type(value)


def test_conversion_round_trips(ev):
    assert ev('string(v: time(v: "2024-05-06T07:08:09.123Z"))') == "2024-05-06T07:08:09.123000000Z"
    assert ev('string(v: duration(v: "1y3w"))') == "1y3w"
    assert ev("string(v: time(v: -1))") == "1969-12-31T23:59:59.999999999Z"


# -- time and duration arithmetic on the calendar ----------------------------------------------
@pytest.mark.parametrize("expression, value", [
    ("2024-01-31T00:00:00Z + 1mo", "2024-02-29T00:00:00Z"),     # leap year: clamp to the 29th
    ("2023-01-31T00:00:00Z + 1mo", "2023-02-28T00:00:00Z"),
    ("2024-03-31T00:00:00Z - 1mo", "2024-02-29T00:00:00Z"),
    ("2021-03-31T00:00:00Z - 1mo", "2021-02-28T00:00:00Z"),
    ("2024-02-29T00:00:00Z + 1y", "2025-02-28T00:00:00Z"),
    ("2024-02-29T00:00:00Z + 4y", "2028-02-29T00:00:00Z"),
    ("2024-01-31T00:00:00Z + 2mo", "2024-03-31T00:00:00Z"),
    ("2024-01-31T00:00:00Z + 1mo + 1mo", "2024-03-29T00:00:00Z"),   # not associative
    ("2024-12-15T00:00:00Z + 1mo", "2025-01-15T00:00:00Z"),
    ("2024-01-15T00:00:00Z - 13mo", "2022-12-15T00:00:00Z"),
    ("2024-01-01T00:00:00Z + -1mo", "2023-12-01T00:00:00Z"),
    ("2024-01-01T00:00:00Z - 1d", "2023-12-31T00:00:00Z"),
    ("2024-03-10T12:00:00Z + 1w", "2024-03-17T12:00:00Z"),
    ("2024-01-31T12:30:00.5Z + 1mo1d", "2024-03-01T12:30:00.5Z"),   # months first, then days
    ("2024-01-31T23:00:00Z + 1h", "2024-02-01T00:00:00Z"),
    ("1969-12-31T23:59:59Z + 1s", "1970-01-01T00:00:00Z"),
    ("1969-12-31T23:59:59.5Z + 1mo", "1970-01-31T23:59:59.5Z"),
    ("1h + 2024-01-01T00:00:00Z", "2024-01-01T01:00:00Z"),
    ("2024-01-01 - 1y1mo", "2022-12-01T00:00:00Z"),
])
def test_time_plus_duration(ev, expression, value):
    assert ev(expression) == t(value)


def test_time_minus_time_is_a_duration(ev):
    assert ev("2024-01-02T00:00:00Z - 2024-01-01T00:00:00Z") == Duration(0, D)
    assert ev("2024-01-01 - 2024-01-01T00:00:01Z") == Duration(0, -10**9)


def test_time_arithmetic_outside_the_int64_range_is_an_error(run):
    with pytest.raises(FluxRuntimeError, match="time out of range"):
        run("x = 2024-01-01T00:00:00Z + 300y")


# -- now() and options -------------------------------------------------------------------------
def test_now_is_fixed_for_a_run():
    ticks = iter(range(1, 100))
    interp = Interpreter(now=lambda: next(ticks) * 10**9)
    program = interp.run("a = now()\nf = () => now()\nb = f()\nc = now()")
    assert program["a"] == program["b"] == program["c"] == Time(10**9)
    assert interp.now() == Time(10**9)
    assert interp.run("a = now()")["a"] == Time(2 * 10**9)  # a new run reads the clock again


def test_option_now_overrides_the_clock(run):
    program = run("a = now()\noption now = () => 2030-01-01T00:00:00Z\nb = now()")
    assert program["a"] == program["b"] == t("2030-01-01T00:00:00Z")


def test_option_now_is_what_builtins_read():
    interp = Interpreter(now=lambda: 0)
    interp.run("option now = () => 2030-01-01T00:00:00Z")
    assert interp.now() == t("2030-01-01T00:00:00Z")


def test_extern_now_is_overridden_by_the_script():
    interp = Interpreter(now=lambda: 0)
    program = interp.run("option now = () => 2030-01-01T00:00:00Z\nx = now()",
                         extern={"now": REGISTRY.universe["now"]})
    assert program["x"] == t("2030-01-01T00:00:00Z")


def test_now_without_option_is_the_clock(ev, now_ns):
    assert ev("now()") == Time(now_ns)
    assert ev("now() - 1h") == Time(now_ns - H)


def test_extern_v_is_readable(ev, now_ns):
    v = Record({"timeRangeStart": Duration(0, -H), "timeRangeStop": Time(now_ns),
                "windowPeriod": Duration(0, 10 * 10**9)})
    assert ev("v.timeRangeStart", v=v) == Duration(0, -H)
    assert ev("v.timeRangeStop", v=v) == Time(now_ns)
    assert ev('"${v.windowPeriod}"', v=v) == "10s"


def test_script_option_v_overrides_extern_v(run, now_ns):
    extern_v = Record({"timeRangeStart": Duration(0, -H)})
    program = run("option v = {timeRangeStart: -5m, timeRangeStop: now()}\n"
                  "start = v.timeRangeStart\nstop = v.timeRangeStop", v=extern_v)
    assert program["start"] == Duration(0, -5 * 60 * 10**9)
    assert program["stop"] == Time(now_ns)


def test_script_option_v_without_extern(run):
    program = run("option v = {timeRangeStart: 2024-01-01T00:00:00Z}\nx = v.timeRangeStart")
    assert program["x"] == t("2024-01-01T00:00:00Z")


def test_undefined_v_is_an_error(run):
    with pytest.raises(FluxRuntimeError, match="undefined identifier v"):
        run("x = v.timeRangeStart")


def test_options_do_not_leak_between_runs():
    interp = Interpreter(now=lambda: 0)
    interp.run("option v = {a: 1}\noption now = () => 2030-01-01T00:00:00Z")
    with pytest.raises(FluxRuntimeError, match="undefined identifier v"):
        interp.run("x = v.a")
    assert interp.run("x = now()")["x"] == Time(0)


def test_expression_statements_are_results(run):
    program = run("x = 1\nx + 1\n\"s\"\n")
    assert [value for _stmt, value in program.results] == [2, "s"]


# -- packages ----------------------------------------------------------------------------------
@pytest.fixture
def registry() -> Registry:
    """The stdlib registry plus a small package `test/text` with a constant and a function."""
    reg = Registry()
    reg.universe.update(REGISTRY.universe)

    @reg.builtin("shout", package="test/text")
    def shout(ctx, v: str, suffix: str = "!") -> str:
        return v.upper() + ctx.interp.package_option("test/text", "suffix")

    reg.add("!", "suffix", package="test/text")
    return reg


def test_import_and_member_call(run, registry):
    program = run('import "test/text"\nx = text.shout(v: "hi")', registry=registry)
    assert program["x"] == "HI!"


def test_import_with_alias(run, registry):
    program = run('import t "test/text"\nx = t.shout(v: "hi")\ns = t.suffix', registry=registry)
    assert (program["x"], program["s"]) == ("HI!", "!")


def test_package_option_applies_to_this_run_only(run, registry):
    program = run('import "test/text"\noption text.suffix = "?"\nx = text.shout(v: "hi")\n'
                  "s = text.suffix", registry=registry)
    assert (program["x"], program["s"]) == ("HI?", "?")
    assert registry.packages["test/text"]["suffix"] == "!"
    assert run('import "test/text"\nx = text.shout(v: "hi")', registry=registry)["x"] == "HI!"


def test_package_members_written_in_flux(run, registry):
    """A package may define members in Flux (importing another package), as upstream does."""
    registry.define_in_flux('import "test/text"\nexcited = (v) => text.shout(v: v + " there")',
                            package="test/more")
    program = run('import "test/more"\nx = more.excited(v: "hi")', registry=registry)
    assert program["x"] == "HI THERE!"
    assert "excited" not in registry.packages["test/more"]  # held per interpreter, not shared


def test_package_option_must_exist(run, registry):
    with pytest.raises(FluxRuntimeError, match="package \"test/text\" has no option 'nope'"):
        run('import "test/text"\noption text.nope = 1', registry=registry)


def test_option_now_keeps_now_the_builtin_read_once():
    program = Interpreter(now=lambda: 0).run(
        "option now = () => 2030-01-01T00:00:00Z\nf = now\nx = f()")
    assert program["f"] is REGISTRY.universe["now"]
    assert program["x"] == t("2030-01-01T00:00:00Z")


def test_option_now_must_return_a_time():
    with pytest.raises(FluxRuntimeError, match="option now must return a time, returned int"):
        Interpreter(now=lambda: 0).run("option now = () => 5\nx = now()")


def test_import_universe_and_planner_as_upstream_test_files_do():
    import tsengine.stdlib  # noqa: F401  (registers the builtins)

    program = Interpreter(now=lambda: 0).run(
        'import "universe"\nimport "planner"\noption planner.disablePhysicalRules = ["r"]\n'
        "x = universe.length(arr: [1, 2])\ny = universe.today()\n"
        "z = planner.disablePhysicalRules")
    assert (program["x"], program["y"], list(program["z"])) == (2, t("1970-01-01T00:00:00Z"),
                                                                ["r"])
