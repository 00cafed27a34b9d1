"""regexp: RE2 meaning under Python's and Rust's engines (ASCII classes, `$` at the very end,
`\\z`, POSIX classes, `\\Q..\\E`), Go's iteration and template expansion, byte offsets; the
expression forms equal to the row evaluator."""

from __future__ import annotations

import polars as pl
import pytest
from pkgcalls import both_ways, closure

from tsengine.errors import FluxRuntimeError

FRAME = pl.DataFrame({"s": ["hello world", "abc123def45", "user@example and bob@host",
                            "xxaxxbx", "héllo wörld é", "foo\n", "٣ digits", "", None]})


def value(expr: str):
    fn, interp = closure(f"() => {expr}", "regexp")
    return interp.call(fn, {}, fn.node)


@pytest.mark.parametrize("expr, want", [
    (r'regexp.findString(r: /\d+/, v: "ab 12 34")', "12"),
    (r'regexp.findString(r: /\d+/, v: "٣٤")', ""),  # \d is ASCII in RE2
    (r'regexp.matchRegexpString(r: /o$/, v: "foo\n")', False),  # $ only at the end
    (r'regexp.matchRegexpString(r: /(?m)o$/, v: "foo\n")', True),
    ('regexp.matchRegexpString(r: /[[:upper:]]+/, v: "abC")', True),
    (r'regexp.matchRegexpString(r: regexp.compile(v: "\\Qa.b\\E"), v: "axb")', False),
    (r'regexp.matchRegexpString(r: regexp.compile(v: "\\Qa.b\\E"), v: "a.b")', True),
    (r'regexp.matchRegexpString(r: /\bwörld/, v: "héllo wörld")', True),
    ('regexp.findStringIndex(r: /l+/, v: "héllo")', [3, 5]),  # bytes
    ('regexp.findStringIndex(r: /z/, v: "héllo")', []),
    ('regexp.replaceAllString(r: /x*/, v: "abxd", t: "-")', "-a-b-d-"),  # Go skips abutting
    (r'regexp.replaceAllString(r: /(\w+)@(\w+)/, v: "bob@host", t: "$2 at \${1}")',
     "host at bob"),
    (r'regexp.replaceAllString(r: /(\w)/, v: "ab", t: "$1x")', ""),  # $1x names group "1x"
    ('regexp.replaceAllString(r: /a/, v: "ab", t: "$$")', "$b"),
    ('regexp.splitRegexp(r: /a*/, v: "baaac", i: -1)', ["b", "c"]),
    ('regexp.splitRegexp(r: /,/, v: "a,b,c", i: 2)', ["a", "b,c"]),
    ('regexp.splitRegexp(r: /,/, v: "", i: -1)', [""]),
    ('regexp.splitRegexp(r: /,/, v: "a,b", i: 0)', []),
    (r'regexp.quoteMeta(v: "a.b*c{2}-#")', r"a\.b\*c\{2\}-#"),
    (r'regexp.getString(r: /a\d+/)', r"a\d+"),
    ('regexp.getString(r: regexp.compile(v: "x|y"))', "x|y"),
    ('regexp.matchRegexpString(r: regexp.compile(v: "^h"), v: "hi")', True),
])
def test_go_semantics(expr, want):
    got = value(expr)
    assert (list(got) if isinstance(want, list) else got) == want


def test_an_invalid_pattern_and_a_null_are_errors():
    with pytest.raises(FluxRuntimeError, match="error parsing regexp"):
        value('regexp.compile(v: "a(b")')
    with pytest.raises(FluxRuntimeError, match="error parsing regexp"):
        value(r'regexp.compile(v: "(a)\\1")')  # RE2 has no backreferences
    fn, interp = closure("(r) => regexp.findString(r: /a/, v: r)", "regexp")
    with pytest.raises(FluxRuntimeError, match="argument v of type null"):
        interp.call(fn, {"r": None}, fn.node)


@pytest.mark.parametrize("expr", [
    r"regexp.matchRegexpString(r: /\d+/, v: r.s)", r"regexp.matchRegexpString(r: /o$/, v: r.s)",
    r"regexp.matchRegexpString(r: /\bw/, v: r.s)", r"regexp.findString(r: /\w+/, v: r.s)",
    r"regexp.findString(r: /é+|\d/, v: r.s)", r"regexp.findString(r: /[[:alpha:]]{3}/, v: r.s)",
    r'regexp.replaceAllString(r: /(\w+)@(\w+)/, v: r.s, t: "$2/${1}")',
    r'regexp.replaceAllString(r: /\s+/, v: r.s, t: "_")',
    r'regexp.replaceAllString(r: /x*/, v: r.s, t: "-")',
    r'regexp.replaceAllString(r: /l/, v: r.s, t: "<$0>")',
])
def test_expression_forms_equal_the_row_evaluator(expr):
    values, _ = both_ways(expr, FRAME, "regexp")
    assert isinstance(values[-1], FluxRuntimeError)


def test_compiled_filter_falls_back_for_nulls_only_where_evaluated():
    from tsengine.flux.lambdas import compile_predicate

    fn, interp = closure(r"(r) => exists r.s and regexp.matchRegexpString(r: /\d/, v: r.s)",
                         "regexp")
    mask = FRAME.select(compile_predicate(fn, interp, FRAME.schema).alias("m"))["m"]
    assert mask.to_list() == [False, True, False, False, False, False, False, False, False]
    fn, interp = closure(r"(r) => regexp.matchRegexpString(r: /\d/, v: r.s)", "regexp")
    with pytest.raises(pl.exceptions.ComputeError):  # the null row: evaluated row by row
        FRAME.select(compile_predicate(fn, interp, FRAME.schema))
