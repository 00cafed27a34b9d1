"""Fuzzing with hypothesis: random token soup and random text never break the parser with
anything but a syntax error, and random arithmetic agrees with a small reference evaluator."""

from __future__ import annotations

import contextlib
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsengine.errors import FluxError, FluxRuntimeError, FluxSyntaxError
from tsengine.flux.check import check
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.parser import parse

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# -- token soup --------------------------------------------------------------------------------
TOKEN_TEXTS = [
    # identifiers and keywords
    "x", "r", "f", "v", "tables", "_value", "true", "false", "with", "now", "int", "string",
    "and", "or", "not", "exists", "if", "then", "else", "import", "package", "option", "builtin",
    "return", "testcase",
    # literals, whole and broken
    "0", "1", "42", "0123", "9223372036854775808", "1.5", ".5", "1.", "1h", "1h30m", "1mo", "-5m",
    "1µs", "2024-01-01", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00", "2024-13-45",
    '"s"', '""', '"a${x}b"', '"${"in"}"', '"\\n"', '"\\q"', '"\\x4"', '"unterminated', '"${',
    "/re/", "/(/", "/[a-z]+/", '"', "${", "\\", "@", "$", "µ", "#",
    # operators and punctuation
    "|>", "<-", "=>", "==", "!=", "<=", ">=", "=~", "!~", "+", "-", "*", "/", "%", "^", "<",
    ">", "=", "(", ")", "[", "]", "{", "}", ",", ":", ".",
    # whitespace and comments
    "\n", "// c\n", "\t",
]
SEPARATORS = st.sampled_from([" ", " ", "", "\n"])


@st.composite
def token_soup(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(st.sampled_from(TOKEN_TEXTS), max_size=30))
    return "".join(t + draw(SEPARATORS) for t in tokens)


@st.composite
def almost_valid(draw: st.DrawFn) -> str:
    """A valid script with a few tokens replaced, dropped or repeated."""
    base = draw(st.sampled_from([
        'option task = {name: "t", every: 1h, offset: 5m}\n'
        'from(bucket: "b") |> range(start: -1h) |> filter(fn: (r) => r._value > 1.0)',
        'f = (tables=<-, n=1) => { x = n * 2\nreturn tables + x }\ny = 1 |> f(n: 3)',
        'r = {a: 1, b: "x"}\ns = {r with c: [1, 2][0], d: ["k": 1.5]}\nt = "${s.a}"',
        "x = if not exists r.a then -1 else 2 ^ 3 % 4\ny = 2024-01-31 + 1mo",
    ]))
    pieces = base.replace("(", " ( ").replace(")", " ) ").split(" ")
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(pieces) - 1))
        action = draw(st.sampled_from(["drop", "dup", "swap"]))
        if action == "drop":
            del pieces[i]
        elif action == "dup":
            pieces.insert(i, pieces[i])
        else:
            pieces[i] = draw(st.sampled_from(TOKEN_TEXTS))
        if not pieces:
            break
    return " ".join(pieces)


def parse_or_syntax_error(source: str) -> None:
    try:
        parse(source)
    except FluxSyntaxError as e:
        assert e.line >= 1 and e.column >= 1, (source, str(e))
        assert str(e).startswith(f"error at {e.line}:{e.column}: ")


@FAST
@given(token_soup())
def test_token_soup_only_raises_syntax_errors(source):
    parse_or_syntax_error(source)


@FAST
@given(almost_valid())
def test_mutated_scripts_only_raise_syntax_errors(source):
    parse_or_syntax_error(source)


@FAST
@given(st.text(max_size=60))
def test_random_text_only_raises_syntax_errors(source):
    parse_or_syntax_error(source)


@settings(max_examples=150, deadline=None)
@given(st.one_of(token_soup(), almost_valid()))
def test_check_and_run_only_raise_flux_errors(source):
    assert all(isinstance(p, FluxError) for p in check(source))
    with contextlib.suppress(FluxError):
        Interpreter(now=lambda: 0).run(source)


# -- arithmetic against a reference evaluator --------------------------------------------------
INT_OPS = ["+", "-", "*", "/", "%"]
FLOAT_OPS = ["+", "-", "*", "/", "%"]
CMP_OPS = ["==", "!=", "<", "<=", ">", ">="]
PRECEDENCE = {"==": 1, "!=": 1, "<": 1, "<=": 1, ">": 1, ">=": 1,
              "+": 2, "-": 2, "*": 3, "/": 3, "%": 3}
UNARY, ATOM = 5, 6


def trees(leaves: st.SearchStrategy, ops: list[str]) -> st.SearchStrategy:
    return st.recursive(
        leaves.map(lambda n: ("lit", n)),
        lambda kids: st.one_of(
            st.tuples(st.sampled_from(ops), kids, kids),
            st.tuples(st.just("neg"), kids),
        ),
        max_leaves=10,
    )


INT_LEAVES = st.one_of(st.integers(0, 20), st.integers(0, 2**63 - 1))
FLOAT_LEAVES = st.integers(0, 10**6).map(lambda n: n / 100)
INT_TREES = trees(INT_LEAVES, INT_OPS)
FLOAT_TREES = trees(FLOAT_LEAVES, FLOAT_OPS)


def render(node: tuple) -> tuple[str, int]:
    """Flux text with the fewest parentheses the precedence rules allow, and its precedence."""
    kind = node[0]
    if kind == "lit":
        return repr(node[1]), ATOM
    if kind == "neg":
        text, prec = render(node[1])
        return "-" + (text if prec >= UNARY else f"({text})"), UNARY
    op, left, right = node
    p = PRECEDENCE[op]
    ltext, lprec = render(left)
    rtext, rprec = render(right)
    if lprec < p:
        ltext = f"({ltext})"
    if rprec <= p:  # left-associative: an equal level on the right needs parentheses
        rtext = f"({rtext})"
    return f"{ltext} {op} {rtext}", p


def wrap(n: int) -> int:
    return (n + 2**63) % 2**64 - 2**63


def ref_int(node: tuple) -> int:
    """Go int64 semantics: wrap-around, division truncated toward zero, errors on zero."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "neg":
        return wrap(-ref_int(node[1]))
    op, a, b = node[0], ref_int(node[1]), ref_int(node[2])
    if op in "/%" and b == 0:
        raise ZeroDivisionError
    if op == "+":
        return wrap(a + b)
    if op == "-":
        return wrap(a - b)
    if op == "*":
        return wrap(a * b)
    quotient = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
    return wrap(quotient) if op == "/" else wrap(a - quotient * b)


def ref_float(node: tuple) -> float:
    """IEEE 754 as Go computes it: x/0 is ±Inf or NaN, Mod(±Inf, y) and Mod(x, 0) are NaN."""
    kind = node[0]
    if kind == "lit":
        return node[1]
    if kind == "neg":
        return -ref_float(node[1])
    op, a, b = node[0], ref_float(node[1]), ref_float(node[2])
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * (
                math.copysign(1.0, b))
        return a / b
    if b == 0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    return a if math.isinf(b) else math.fmod(a, b)


def evaluate(source: str):
    return Interpreter(now=lambda: 0).run(f"x = {source}")["x"]


def same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


@FAST
@given(INT_TREES)
def test_int_arithmetic_matches_reference(tree):
    source, _ = render(tree)
    try:
        expected = ref_int(tree)
    except ZeroDivisionError:
        with pytest.raises(FluxRuntimeError, match="division by zero|divide by zero"):
            evaluate(source)
        return
    got = evaluate(source)
    assert type(got) is int and got == expected, source


@FAST
@given(FLOAT_TREES)
def test_float_arithmetic_matches_reference(tree):
    source, _ = render(tree)
    got = evaluate(source)
    assert type(got) is float and same_float(got, ref_float(tree)), source


@FAST
@given(INT_TREES, st.sampled_from(CMP_OPS), FLOAT_TREES)
def test_mixed_comparisons_match_reference(left, op, right):
    ltext, _ = render(left)
    rtext, _ = render(right)
    try:
        a = float(ref_int(left))
    except ZeroDivisionError:
        return
    b = ref_float(right)
    expected = {"==": a == b, "!=": a != b, "<": a < b, "<=": a <= b, ">": a > b,
                ">=": a >= b}[op]
    assert evaluate(f"{ltext} {op} {rtext}") is expected


def test_render_uses_minimal_parentheses():
    tree = ("-", ("lit", 1), ("+", ("lit", 2), ("*", ("lit", 3), ("neg", ("lit", 4)))))
    assert render(tree) == ("1 - (2 + 3 * -4)", 2)
    assert render(("neg", ("*", ("lit", 1.5), ("lit", 2.0)))) == ("-(1.5 * 2.0)", UNARY)
