"""strings: Go's semantics (rune-wise simple case mapping, byte offsets, Go's white space,
split rules), and each expression form equal to the row evaluator, nulls and non-ASCII
strings included."""

from __future__ import annotations

import polars as pl
import pytest
from pkgcalls import both_ways, closure

from tsengine.errors import FluxRuntimeError

WORDS = ["hello world", "  Héllo\tWörld \u00a0", "straße ǆ ᾳ Σ İ", "foo_bar-baz.qux",
         "a,b,,c", "", "\x1ctrim\x1c", "日本語テキスト", "ŉ ﬁ ΐ", None]
FRAME = pl.DataFrame({"s": WORDS, "t": ["o", "ö", "ß", "_", ",", "", "x", "語", "ﬁ", "a"],
                      "i": [0, 1, 2, 3, -1, 5, 100, -7, 2, 1]})


def value(expr: str):
    fn, interp = closure(f"() => {expr}", "strings")
    return interp.call(fn, {}, fn.node)


@pytest.mark.parametrize("expr, want", [
    ('strings.toUpper(v: "straße")', "STRAßE"),  # Go keeps ß (no simple upper case)
    ('strings.toLower(v: "ΑΣ İ")', "ασ i"),  # no final sigma; İ to i
    ('strings.toTitle(v: "ǆemal")', "ǅEMAL"),
    ('strings.title(v: "hello wOrld-foo_bar ébc")', "Hello WOrld-Foo_bar Ébc"),
    ('strings.trimSpace(v: "\\t x \\xc2\\xa0")', "x"),
    ('strings.trim(v: "xxaxx", cutset: "x")', "a"),
    ('strings.trimLeft(v: ".-a-.", cutset: ".-")', "a-."),
    ('strings.trimRight(v: ".-a-.", cutset: ".-")', ".-a"),
    ('strings.trimPrefix(v: "cpu_total", prefix: "cpu_")', "total"),
    ('strings.trimSuffix(v: "cpu_total", suffix: "_total")', "cpu"),
    ('strings.hasPrefix(v: "cpu", prefix: "")', True),
    ('strings.containsAny(v: "abc", chars: "")', False),
    ('strings.equalFold(v: "Go", t: "GO")', True),
    ('strings.equalFold(v: "ß", t: "ss")', False),
    ('strings.compare(v: "a", t: "b")', -1),
    ('strings.countStr(v: "cheese", substr: "e")', 3),
    ('strings.countStr(v: "five", substr: "")', 5),
    ('strings.index(v: "héllo", substr: "l")', 3),  # bytes
    ('strings.lastIndex(v: "go gopher", substr: "go")', 3),
    ('strings.indexAny(v: "chicken", chars: "kmn")', 4),
    ('strings.lastIndexAny(v: "héé", chars: "é")', 3),
    ('strings.isDigit(v: "7")', True),
    ('strings.isLetter(v: "7")', False),
    ('strings.isLower(v: "a")', True),
    ('strings.isUpper(v: "a")', False),
    ('strings.repeat(v: "ab", i: 3)', "ababab"),
    ('strings.replace(v: "oink oink oink", t: "k", u: "ky", i: 2)', "oinky oinky oink"),
    ('strings.replace(v: "abc", t: "", u: "-", i: -1)', "-a-b-c-"),
    ('strings.replaceAll(v: "oink oink", t: "oink", u: "moo")', "moo moo"),
    ('strings.split(v: "a,b,c", t: ",")', ["a", "b", "c"]),
    ('strings.split(v: "añb", t: "")', ["a", "ñ", "b"]),
    ('strings.split(v: "", t: ",")', [""]),
    ('strings.splitAfter(v: "a,b,c", t: ",")', ["a,", "b,", "c"]),
    ('strings.splitN(v: "a,b,c", t: ",", i: 2)', ["a", "b,c"]),
    ('strings.splitN(v: "a,b,c", t: ",", i: 0)', []),
    ('strings.splitAfterN(v: "a,b,c", t: ",", i: 2)', ["a,", "b,c"]),
    ('strings.joinStr(arr: ["a", "b"], v: ", ")', "a, b"),
    ('strings.strlen(v: "日本語")', 3),
    ('strings.substring(v: "日本語テキスト", start: 1, end: 3)', "本語"),
    ('strings.substring(v: "abc", start: -5, end: 99)', "abc"),
    ('strings.substring(v: "abc", start: 2, end: 1)', ""),
])
def test_go_semantics(expr, want):
    got = value(expr)
    assert (list(got) if isinstance(want, list) else got) == want


@pytest.mark.parametrize("expr, message", [
    ("strings.toUpper(v: r)", "to upper case"),
    ('strings.hasPrefix(v: r, prefix: "a")', 'expected argument "v" to be of type string'),
    ('strings.isDigit(v: "12")', "argument length is not equal to 1"),
    ('strings.repeat(v: "a", i: -1)', "negative Repeat count"),
    ('strings.joinStr(arr: [r], v: ",")', 'expected elements of argument "arr"'),
])
def test_null_and_bad_arguments_are_errors(expr, message):
    fn, interp = closure(f"(r) => {expr}", "strings")
    with pytest.raises(FluxRuntimeError, match=message):
        interp.call(fn, {"r": None}, fn.node)


@pytest.mark.parametrize("expr", [
    "strings.toUpper(v: r.s)", "strings.toLower(v: r.s)", "strings.trimSpace(v: r.s)",
    "strings.strlen(v: r.s)", 'strings.trim(v: r.s, cutset: " \\tx")',
    'strings.trimLeft(v: r.s, cutset: " ")', 'strings.trimRight(v: r.s, cutset: "")',
    'strings.trimPrefix(v: r.s, prefix: "foo")', "strings.trimSuffix(v: r.s, suffix: r.t)",
    "strings.hasPrefix(v: r.s, prefix: r.t)", 'strings.hasSuffix(v: r.s, suffix: "c")',
    "strings.containsStr(v: r.s, substr: r.t)", 'strings.containsAny(v: r.s, chars: "é,")',
    "strings.compare(v: r.s, t: r.t)", 'strings.countStr(v: r.s, substr: "o")',
    'strings.countStr(v: r.s, substr: "")', 'strings.index(v: r.s, substr: "l")',
    'strings.index(v: r.s, substr: "")', 'strings.replaceAll(v: r.s, t: "o", u: "0")',
    'strings.replace(v: r.s, t: "o", u: "0", i: 1)',
    'strings.replace(v: r.s, t: "", u: "-", i: -1)',
    'strings.repeat(v: r.s, i: 2)', 'strings.repeat(v: r.s, i: 0)',
    "strings.substring(v: r.s, start: 1, end: 4)", "strings.substring(v: r.s, start: r.i, end: 4)",
    "strings.substring(v: r.s, start: -1, end: r.i)",
    'if exists r.s then strings.toUpper(v: r.s) else "none"',
    'exists r.s and strings.hasPrefix(v: r.s, prefix: "h")',
])
def test_expression_forms_equal_the_row_evaluator(expr):
    values, guarded = both_ways(expr, FRAME, "strings")
    # non-ASCII rows compile too, except where Go's case mapping differs from Polars'
    assert sum(guarded) <= 3
    if "exists" not in expr:
        assert isinstance(values[-1], FluxRuntimeError)  # a null is an error upstream


def test_a_null_guarded_by_exists_is_not_evaluated():
    values, guarded = both_ways('exists r.s and strings.hasPrefix(v: r.s, prefix: "h")',
                                FRAME, "strings")
    assert values[0] is True and values[-1] is False and not any(guarded)


def test_case_mapping_rows_that_polars_maps_otherwise_fall_back():
    values, guarded = both_ways("strings.toUpper(v: r.s)", FRAME, "strings")
    assert values[2] == "STRAßE Ǆ ᾼ Σ İ" and guarded[2]
    assert values[1] == "  HÉLLO\tWÖRLD \u00a0" and not guarded[1]
