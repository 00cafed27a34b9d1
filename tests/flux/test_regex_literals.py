"""Regex literals mean what Go's regexp (RE2) means, wherever they are evaluated: the parser
accepts exactly RE2's syntax, the row evaluator, the Polars form of `=~` in a compiled
predicate or record, and a tag regex pushed into storage all give Go's answer.

The expected values were checked against Go 1.19's regexp.
"""

from __future__ import annotations

import warnings

import polars as pl
import pytest

from storage import Regex
from storage.regex import RegexSyntaxError, check_regex, python_regex, rust_regex
from tsengine.errors import FluxSyntaxError
from tsengine.flux.interpreter import Interpreter
from tsengine.flux.lambdas import compile_predicate, compile_record
from tsengine.flux.parser import parse

# (pattern, subject, Go's regexp.MatchString)
GO = [
    (r"\d", "٣", False), (r"\d", "a3", True), (r"o$", "foo\n", False), (r"(?m)o$", "foo\n", True),
    (r"\Qa.b\E", "axb", False), (r"\Qa.b\E", "xa.b", True), (r"[[:alpha:]]+", "12", False),
    (r"[[:^alpha:]]", "ab1", True), (r"a(?i)b", "aB", True), (r"a(?i)b", "AB", False),
    (r"(a(?i)b)c", "aBC", False), (r"\x{41}", "A", True), (r"\bö", "wörld", True),
    (r"\w", "é", False), (r"\s", "\u00a0", False), (r"(?i)k", "\u212a", True),
    (r"a{", "a{", True), (r"a{,2}", "a{,2}", True), (r"\z", "a", True), (r"\12", "\n", True),
    (r"[[]", "[", True), (r"(?m:o$)|x$", "foo\nx\n", True), (r"(?m:o$)|x$", "fox\n", False),
    (r"(?i)(?-i:a)b", "AB", False), (r"(?:a)", "a", True),
]
NOT_RE2 = [r"a(?=b)", r"(a)\1", r"a++", r"(?>a)", r"\Z", r"x{1001}", r"\e", r"a**"]


@pytest.mark.parametrize("pattern, subject, want", GO)
def test_both_engines_give_gos_answer(pattern, subject, want):
    check_regex(pattern)
    assert (python_regex(pattern).search(subject) is not None) is want
    assert pl.Series([subject]).str.contains(rust_regex(pattern))[0] is want


@pytest.mark.parametrize("pattern", NOT_RE2)
def test_what_re2_rejects_is_rejected(pattern):
    with pytest.raises(RegexSyntaxError):
        check_regex(pattern)


def test_unicode_classes_work_in_the_polars_form_only():
    check_regex(r"\pL")
    assert pl.Series(["é"]).str.contains(rust_regex(r"\p{L}+"))[0]
    with pytest.raises(RegexSyntaxError, match="unsupported"):
        python_regex(r"\pL")


@pytest.mark.parametrize("source", [r"/\Qa(b\E/", "/[[:alpha:]]/", r"/a{/", r"/(?i)a(?-i)b/"])
def test_the_parser_accepts_re2_syntax_without_warnings(source):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parse(f"x = {source}")


@pytest.mark.parametrize("source", [r"/a(?=b)/", r"/(a)\1/", "/a++/", "/[[:nope:]]/"])
def test_the_parser_rejects_what_re2_rejects(source):
    with pytest.raises(FluxSyntaxError, match="invalid regular expression"):
        parse(f"x = {source}")


@pytest.mark.parametrize("expression, want", [
    (r'"٣" =~ /\d/', False), (r'"foo\n" =~ /o$/', False), (r'"xa.b" =~ /\Qa.b\E/', True),
    ('"a" =~ /[[:alpha:]]/', True), (r'"wörld" =~ /\bw/', True), (r'"é" !~ /\w/', True),
])
def test_the_row_evaluator(ev, expression, want):
    assert ev(expression) is want


FRAME = pl.DataFrame({"s": ["٣", "foo\n", "xa.b", "wörld", "a7", None]})


@pytest.mark.parametrize("regex", [r"/\d/", "/o$/", r"/\Qa.b\E/", r"/^\w+$/", "/[[:digit:]]/"])
def test_compiled_forms_equal_the_row_evaluator(regex):
    import tsengine.stdlib  # noqa: F401

    interp = Interpreter()
    fn = interp.run(f"fn = (r) => r.s =~ {regex}")["fn"]
    rows = [interp.call(fn, {"r": _row(s)}, fn.node) for s in FRAME["s"]]
    predicate = FRAME.with_columns(compile_predicate(fn, interp, FRAME.schema).alias("m"))["m"]
    assert predicate.to_list() == [r is True for r in rows]
    record_fn = interp.run(f"fn = (r) => ({{m: r.s =~ {regex}}})")["fn"]
    compiled = compile_record(record_fn, interp, FRAME.schema)
    expr, _ = compiled.columns["m"]
    assert FRAME.select(expr.alias("m"))["m"].to_list() == rows


def _row(s):
    from tsengine.flux.values import Record
    return Record({"s": s}, row=True)


def test_storage_predicates_mean_re2():
    tag = Regex("host", r"^\d$")
    assert not tag.test("٣") and tag.test("3")
    assert not Regex("_field", "o$").test("foo\n")
    assert Regex("_measurement", r"\pL").test("é")  # only the Polars engine has \p


def test_a_tag_regex_pushed_into_storage(engine):
    engine.create_bucket("b")
    engine.write("b", "m,host=٣ v=1 1704067200000000000\nm,host=3 v=2 1704067200000000000\n")
    flux = ('from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)'
            r' |> filter(fn: (r) => r.host =~ /^\d$/)')
    for rules in ((), ("all",)):
        tables = engine.query(flux, disabled_rules=rules)["_result"]
        assert [t.frame["host"].to_list() for t in tables] == [["3"]]
