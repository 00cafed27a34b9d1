"""The Flux lexer: every token kind, literal forms, string escapes and interpolation, regex vs
division, comments, and the line:column of tokens."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxSyntaxError
from tsengine.flux.tokens import T, tokenize


def toks(source: str) -> list[tuple[str, str]]:
    """(kind name, text) of every token but the final EOF."""
    out = tokenize(source)
    assert out[-1].kind is T.EOF
    return [(t.kind.name, t.text) for t in out[:-1]]


def one(source: str) -> tuple[str, str]:
    [tok] = toks(source)
    return tok


def parts(source: str) -> list[object]:
    """A string token's parts: text as str, interpolations as their token texts."""
    [tok, _eof] = tokenize(source)
    assert tok.kind is T.STRING
    return [p.text if p.tokens is None else [t.text for t in p.tokens[:-1]] for p in tok.parts]


# -- identifiers and keywords ------------------------------------------------------------------
def test_identifiers():
    assert toks("_value r αβ x1 _") == [
        ("IDENT", "_value"), ("IDENT", "r"), ("IDENT", "αβ"), ("IDENT", "x1"), ("IDENT", "_")]


@pytest.mark.parametrize("word", ["and", "or", "not", "exists", "if", "then", "else", "import",
                                  "package", "option", "builtin", "return", "testcase"])
def test_keywords(word):
    assert one(word) == ("KEYWORD", word)


def test_keyword_prefix_is_an_identifier():
    assert toks("android orx notify iff") == [
        ("IDENT", "android"), ("IDENT", "orx"), ("IDENT", "notify"), ("IDENT", "iff")]


def test_true_false_are_identifiers():
    assert toks("true false") == [("IDENT", "true"), ("IDENT", "false")]


# -- operators ---------------------------------------------------------------------------------
def test_every_operator():
    source = "|> <- => == != <= >= =~ !~ + - * % ^ < > = ( ) [ ] { } , : ."
    assert toks(source) == [("OP", op) for op in source.split()]


def test_longest_operator_wins_without_spaces():
    assert toks("a<=b") == [("IDENT", "a"), ("OP", "<="), ("IDENT", "b")]
    assert toks("a|>f()") == [("IDENT", "a"), ("OP", "|>"), ("IDENT", "f"), ("OP", "("),
                              ("OP", ")")]
    assert toks("(t=<-)") == [("OP", "("), ("IDENT", "t"), ("OP", "="), ("OP", "<-"),
                              ("OP", ")")]
    assert toks("a=~b") == [("IDENT", "a"), ("OP", "=~"), ("IDENT", "b")]


# -- numbers -----------------------------------------------------------------------------------
def test_integers():
    assert toks("0 7 1234567890") == [("INT", "0"), ("INT", "7"), ("INT", "1234567890")]


def test_floats():
    assert toks("1.5 .5 1. 0. 0.25") == [
        ("FLOAT", "1.5"), ("FLOAT", ".5"), ("FLOAT", "1."), ("FLOAT", "0."), ("FLOAT", "0.25")]


def test_negative_number_is_minus_then_literal():
    assert toks("-1 -1.5") == [("OP", "-"), ("INT", "1"), ("OP", "-"), ("FLOAT", "1.5")]


@pytest.mark.parametrize("text", ["0123", "00", "01"])
def test_integer_with_leading_zero_is_rejected(text):
    with pytest.raises(FluxSyntaxError) as err:
        tokenize(f"x = {text}")
    assert err.value.message == f"invalid integer literal '{text}': leading zero"
    assert (err.value.line, err.value.column) == (1, 5)


def test_number_glued_to_letters_is_rejected():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize("y = 12abc")
    assert err.value.message == "invalid number or duration '12abc'"
    assert (err.value.line, err.value.column) == (1, 5)


@pytest.mark.parametrize("text", ["²", "٣", "１"])
def test_digits_are_ascii_only(text):
    with pytest.raises(FluxSyntaxError) as err:
        tokenize(f"x = {text}")
    assert err.value.message == f"unexpected character {text!r}"
    assert (err.value.line, err.value.column) == (1, 5)


def test_non_ascii_digits_may_continue_an_identifier():
    assert toks("x٣ a²") == [("IDENT", "x٣"), ("IDENT", "a²")]


def test_no_exponent_form():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize("1e21")
    assert err.value.message == "invalid number or duration '1e21'"


# -- durations ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["1h30m", "1mo", "1y", "1w", "1d", "1h", "1m", "1s", "1ms",
                                  "1us", "1µs", "1ns", "1y2mo3w4d5h6m7s8ms9us10ns", "10ms",
                                  "0s"])
def test_durations(text):
    assert one(text) == ("DURATION", text)


def test_duration_units_are_not_confused():
    # `mo` is months and `m` minutes; `ms` milliseconds
    assert one("5mo") == ("DURATION", "5mo")
    assert toks("5m o") == [("DURATION", "5m"), ("IDENT", "o")]
    assert toks("5ms+1") == [("DURATION", "5ms"), ("OP", "+"), ("INT", "1")]


def test_negative_duration_is_minus_then_literal():
    assert toks("-5m") == [("OP", "-"), ("DURATION", "5m")]


def test_duration_with_trailing_digits_is_rejected():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize("every: 1h30")
    assert err.value.message == "invalid number or duration '1h30'"
    assert (err.value.line, err.value.column) == (1, 8)


def test_duration_with_unknown_unit_is_rejected():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize("1x")
    assert err.value.message == "invalid number or duration '1x'"


# -- date-times --------------------------------------------------------------------------------
@pytest.mark.parametrize("text", [
    "2024-01-01",
    "2024-01-01T00:00:00Z",
    "2024-01-01T12:34:56.5Z",
    "2024-01-01T12:34:56.123456789Z",
    "2024-01-01T00:00:00+05:30",
    "2024-01-01T00:00:00.25-08:00",
])
def test_date_times(text):
    assert one(text) == ("TIME", text)


def test_date_time_then_operator():
    assert toks("2024-01-01T00:00:00Z+1h") == [
        ("TIME", "2024-01-01T00:00:00Z"), ("OP", "+"), ("DURATION", "1h")]
    assert toks("2024-01-01 - 1") == [("TIME", "2024-01-01"), ("OP", "-"), ("INT", "1")]


def test_subtraction_of_integers_is_not_a_date():
    assert toks("2024-1-1") == [("INT", "2024"), ("OP", "-"), ("INT", "1"), ("OP", "-"),
                                ("INT", "1")]


@pytest.mark.parametrize("text", ["2024-01-01T00:00:00", "2024-01-01T00:00Z",
                                  "2024-01-01T00:00:00.Z", "2024-01-01x"])
def test_malformed_date_times(text):
    with pytest.raises(FluxSyntaxError) as err:
        tokenize(f"t = {text}")
    assert err.value.message == (
        f"invalid date-time literal {text!r}: expected a date like 2024-01-01 or an RFC3339 "
        f"time like 2024-01-01T00:00:00Z")
    assert (err.value.line, err.value.column) == (1, 5)


# -- strings -----------------------------------------------------------------------------------
def test_plain_string():
    assert one('"hello world"') == ("STRING", '"hello world"')
    assert parts('"hello world"') == ["hello world"]
    assert parts('""') == [""]


def test_string_escapes():
    assert parts(r'"a\nb\tc\\d\"e\rf"') == ['a\nb\tc\\d"e\rf']


def test_dollar_escapes():
    assert parts(r'"\$"') == ["$"]
    assert parts(r'"cost: \${x}"') == ["cost: ${x}"]
    assert parts('"$5 and $"') == ["$5 and $"]


def test_hex_byte_escapes():
    assert parts(r'"\x41\x62"') == ["Ab"]
    assert parts(r'"caf\xc3\xa9!"') == ["café!"]


def test_string_may_span_lines():
    tokens = tokenize('"a\nb" c')
    assert tokens[0].kind is T.STRING and tokens[0].parts[0].text == "a\nb"
    assert (tokens[0].line, tokens[0].col, tokens[0].end_line, tokens[0].end_col) == (1, 1, 2, 3)
    assert (tokens[1].text, tokens[1].line, tokens[1].col) == ("c", 2, 4)


def test_interpolation():
    assert parts('"a${x}b"') == ["a", ["x"], "b"]
    assert parts('"${r._value}"') == [["r", ".", "_value"]]
    assert parts('"${1 + 2} items"') == [["1", "+", "2"], " items"]


def test_nested_interpolation_with_strings():
    assert parts('"x${"a" + "b"}y"') == ["x", ['"a"', "+", '"b"'], "y"]
    [tok, _] = tokenize('"${"in${n}"}"')
    inner = tok.parts[0].tokens[0]
    assert inner.kind is T.STRING
    assert [p.text if p.tokens is None else [t.text for t in p.tokens[:-1]]
            for p in inner.parts] == ["in", ["n"]]


def test_interpolation_with_record_braces():
    assert parts('"${ {a: 1}.a }"') == [["{", "a", ":", "1", "}", ".", "a"]]


def test_interpolated_tokens_have_their_own_positions():
    tok = tokenize('x = "ab${foo}"')[2]
    foo = tok.parts[1].tokens[0]
    assert (foo.text, foo.line, foo.col) == ("foo", 1, 10)


def test_unterminated_string():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize('x = 1\ny = "abc\n')
    assert err.value.message == "string literal is not terminated"
    assert (err.value.line, err.value.column) == (2, 5)


def test_escaped_quote_does_not_end_string():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize(r'"abc\"')
    assert err.value.message == "string literal is not terminated"
    assert (err.value.line, err.value.column) == (1, 1)


def test_bad_escape():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize(r'x = "a\qb"')
    assert err.value.message == "invalid escape sequence \\q"
    assert (err.value.line, err.value.column) == (1, 7)


@pytest.mark.parametrize("text", [r'"\x4"', r'"\x4g"', r'"\x"'])
def test_bad_hex_escape(text):
    with pytest.raises(FluxSyntaxError) as err:
        tokenize(text)
    assert err.value.message == "invalid \\x escape: expected two hex digits"
    assert (err.value.line, err.value.column) == (1, 2)


def test_hex_escape_that_is_not_utf8():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize(r'"\xff"')
    assert err.value.message == "\\x escapes do not form valid UTF-8"


def test_empty_interpolation():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize('"${}"')
    assert err.value.message == "empty string interpolation"
    assert (err.value.line, err.value.column) == (1, 4)


# -- regex vs division -------------------------------------------------------------------------
def test_regex_where_an_operand_is_expected():
    assert toks('r.host =~ /^web\\d+$/') == [
        ("IDENT", "r"), ("OP", "."), ("IDENT", "host"), ("OP", "=~"), ("REGEX", "/^web\\d+$/")]
    assert toks("f(re: /a/)") == [("IDENT", "f"), ("OP", "("), ("IDENT", "re"), ("OP", ":"),
                                  ("REGEX", "/a/"), ("OP", ")")]
    assert one("/a b/") == ("REGEX", "/a b/")


def test_division_after_an_operand():
    assert toks("a / b / c") == [("IDENT", "a"), ("OP", "/"), ("IDENT", "b"), ("OP", "/"),
                                 ("IDENT", "c")]
    assert toks("(a)/2") == [("OP", "("), ("IDENT", "a"), ("OP", ")"), ("OP", "/"), ("INT", "2")]
    assert toks("x[0]/2") == [("IDENT", "x"), ("OP", "["), ("INT", "0"), ("OP", "]"), ("OP", "/"),
                              ("INT", "2")]
    assert toks("1.0/2.0") == [("FLOAT", "1.0"), ("OP", "/"), ("FLOAT", "2.0")]
    assert toks("1h/2") == [("DURATION", "1h"), ("OP", "/"), ("INT", "2")]


def test_regex_after_keyword_and_operator():
    assert toks("not /a/") == [("KEYWORD", "not"), ("REGEX", "/a/")]
    assert toks("x = /a/") == [("IDENT", "x"), ("OP", "="), ("REGEX", "/a/")]
    assert toks("[/a/, /b/]") == [("OP", "["), ("REGEX", "/a/"), ("OP", ","), ("REGEX", "/b/"),
                                  ("OP", "]")]


def test_escaped_slash_in_regex():
    assert one(r"/a\/b/") == ("REGEX", r"/a\/b/")


def test_unterminated_regex():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize("x =~ /abc\n/")
    assert err.value.message == "regex literal is not terminated"
    assert (err.value.line, err.value.column) == (1, 6)


# -- comments and whitespace -------------------------------------------------------------------
def test_comments_are_skipped():
    assert toks("// leading\nx = 1 // trailing\n// last") == [
        ("IDENT", "x"), ("OP", "="), ("INT", "1")]


def test_comment_marker_inside_string_is_text():
    assert parts('"http://example.com"') == ["http://example.com"]


def test_only_comments_and_whitespace():
    tokens = tokenize("  // nothing\n\t\n")
    assert [t.kind for t in tokens] == [T.EOF]
    assert (tokens[0].line, tokens[0].col) == (3, 1)


def test_unexpected_character():
    with pytest.raises(FluxSyntaxError) as err:
        tokenize("x = 1\ny = @a")
    assert err.value.message == "unexpected character '@'"
    assert (err.value.line, err.value.column) == (2, 5)


# -- positions ---------------------------------------------------------------------------------
def test_token_positions():
    source = ('from(bucket: "b")\n'
              '  |> range(start: -1h)\n'
              '\t|> filter(fn: (r) => r._value > 1.5)')
    tokens = tokenize(source)
    where = [(t.text, t.line, t.col, t.end_line, t.end_col) for t in tokens]
    assert where[:6] == [("from", 1, 1, 1, 5), ("(", 1, 5, 1, 6), ("bucket", 1, 6, 1, 12),
                         (":", 1, 12, 1, 13), ('"b"', 1, 14, 1, 17), (")", 1, 17, 1, 18)]
    assert where[6:10] == [("|>", 2, 3, 2, 5), ("range", 2, 6, 2, 11), ("(", 2, 11, 2, 12),
                           ("start", 2, 12, 2, 17)]
    assert where[11:13] == [("-", 2, 19, 2, 20), ("1h", 2, 20, 2, 22)]
    # a tab counts as one column
    assert where[14] == ("|>", 3, 2, 3, 4)
    assert where[-3] == ("1.5", 3, 34, 3, 37)
    assert where[-1] == ("", 3, 38, 3, 38)


def test_multibyte_characters_count_as_one_column():
    tokens = tokenize('"αβγ" x 1µs y')
    assert [(t.text, t.col) for t in tokens[:4]] == [('"αβγ"', 1), ("x", 7), ("1µs", 9),
                                                      ("y", 13)]
