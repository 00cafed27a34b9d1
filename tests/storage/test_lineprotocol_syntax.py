"""Line protocol syntax: values, escapes, layout, precision, and every error with its position.

Valid single lines are checked on both paths: alone through the exact parser, and repeated
enough times for the vectorized path to take them, which must give the very same points.
"""

from __future__ import annotations

import pytest

from storage.errors import InvalidArgument, LineError, LineProtocolError
from storage.lineprotocol import Dropped, FieldType, Point, parse, precision_factor
from storage.lineprotocol.fast import MIN_LINES_FOR_A_SHAPE

F, INT, U, S, B = (FieldType.FLOAT, FieldType.INTEGER, FieldType.UNSIGNED, FieldType.STRING,
                   FieldType.BOOLEAN)
COPIES = 2 * MIN_LINES_FOR_A_SHAPE


def points(text: str | bytes, **kw) -> list[Point]:
    """Parse on both paths; they must agree."""
    exact = parse(text, vectorized=False, **kw).to_points()
    assert parse(text, **kw).to_points() == exact
    return exact


def one(line: str, **kw) -> Point:
    """The point of one valid line; the same line repeated must give it again on every line."""
    [point] = points(line, **kw)
    assert points((line + "\n") * COPIES, **kw) == [point] * COPIES
    return point


def field(line: str) -> tuple[FieldType, object]:
    """Type and value of the only field of a `m f=<value>` line."""
    [(key, ftype, value)] = one(line).fields
    assert key == "f"
    return ftype, value


def errors(text: str | bytes, **kw) -> list[tuple[int, int, str]]:
    """(line, column, message) of every bad line; both paths must report the same."""
    found = []
    for vectorized in (False, True):
        with pytest.raises(LineProtocolError) as info:
            parse(text, vectorized=vectorized, **kw)
        found.append(info.value.errors)
    assert found[0] == found[1]
    return [(e.line, e.column, e.message) for e in found[0]]


def error(line: str, **kw) -> tuple[int, str]:
    """(column, message) of a single bad line, also when it hides among many good lines."""
    [(number, column, message)] = errors(line, **kw)
    assert number == 1
    good = "cpu,host=a value=1 1\n" * COPIES
    assert errors(good + line + "\n" + good, **kw) == [(COPIES + 1, column, message)]
    return column, message


# --- field values ------------------------------------------------------------------------------

@pytest.mark.parametrize(("token", "value"), [
    ("1", 1.0), ("1.0", 1.0), ("-1.5e3", -1500.0), (".5", 0.5), ("1.", 1.0), ("-.5", -0.5),
    ("0", 0.0), ("-0", -0.0), ("007.50", 7.5), ("1E5", 100000.0), ("1e+5", 100000.0),
    ("1e-05", 1e-05), ("-1.2e+78", -1.2e78), ("1.7976931348623157e308", 1.7976931348623157e308),
    ("0.1", 0.1), ("123456789012345678901234567890", 1.2345678901234568e29),
])
def test_float(token, value):
    ftype, got = field(f"m f={token}")
    assert ftype is F and isinstance(got, float)
    assert got == value and str(got) == str(value)  # str tells -0.0 from 0.0


@pytest.mark.parametrize(("token", "value"), [
    ("1i", 1), ("-5i", -5), ("0i", 0), ("-0i", 0), ("0042i", 42),
    ("9223372036854775807i", 2**63 - 1), ("-9223372036854775808i", -(2**63)),
])
def test_integer(token, value):
    assert field(f"m f={token}") == (INT, value)


@pytest.mark.parametrize(("token", "value"), [
    ("1u", 1), ("0u", 0), ("18446744073709551615u", 2**64 - 1), ("9223372036854775808u", 2**63),
])
def test_unsigned(token, value):
    assert field(f"m f={token}") == (U, value)


@pytest.mark.parametrize(("token", "value"), [
    ('""', ""),
    ('"hello"', "hello"),
    ('"with space, comma=equals"', "with space, comma=equals"),
    (r'"say \"hi\""', 'say "hi"'),
    (r'"back\\slash"', "back\\slash"),
    (r'"ends in backslash\\"', "ends in backslash\\"),
    (r'"C:\temp\new"', r"C:\temp\new"),  # other backslashes are kept as they are
    (r'"a\,b\=c\ d"', r"a\,b\=c\ d"),  # key escapes mean nothing inside a string
    (r'"\\\""', '\\"'),
    ('"true"', "true"),  # quoted means string
    ('"1i"', "1i"),
    ('"é ☃ 日本"', "é ☃ 日本"),
    ('"#not a comment"', "#not a comment"),
])
def test_string(token, value):
    assert field(f"m f={token}") == (S, value)


@pytest.mark.parametrize(("token", "value"), [
    ("t", True), ("T", True), ("true", True), ("True", True), ("TRUE", True),
    ("f", False), ("F", False), ("false", False), ("False", False), ("FALSE", False),
])
def test_boolean(token, value):
    assert field(f"m f={token}") == (B, value)


def test_every_type_on_one_line():
    p = one('m a=1,b=2i,c=3u,d="x",e=true 10')
    assert p == Point("m", (), (("a", F, 1.0), ("b", INT, 2), ("c", U, 3), ("d", S, "x"),
                                ("e", B, True)), 10)


# --- escapes -----------------------------------------------------------------------------------

def test_measurement_escapes_comma_and_space():
    assert one(r"my\ meas\,ure x=1").measurement == "my meas,ure"


def test_measurement_keeps_other_backslashes():
    # only comma and space are escapes in a measurement; `\=` and `\t` stay as written
    assert one(r"a\=b\tc x=1").measurement == r"a\=b\tc"


def test_measurement_may_hold_equals_and_quotes():
    assert one('a=b"c" x=1').measurement == 'a=b"c"'


def test_tag_key_and_value_escapes():
    p = one(r"m,ta\ g\,k\=ey=v\ 1\,2\=3 x=1")
    assert p.tags == (("ta g,k=ey", "v 1,2=3"),)


def test_field_key_escapes():
    p = one(r"m f\ 1\,2\=3=1")
    assert p.fields == (("f 1,2=3", F, 1.0),)


def test_backslash_before_other_characters_is_literal():
    p = one(r"m,host=a\b,path=C:\dir f\x=1")
    assert p.tags == (("host", r"a\b"), ("path", r"C:\dir"))
    assert p.fields == ((r"f\x", F, 1.0),)


def test_a_character_after_a_backslash_is_escaped_even_after_a_double_backslash():
    # models/points.go: a character preceded by a backslash is escaped, so `\\,` escapes the comma
    p = one(r"m,k=a\\,b x=1")
    assert p.tags == (("k", "a\\,b"),)
    column, message = error(r"m,k=a\\,j=c x=1")
    assert (column, message) == (10, "invalid tag format: unescaped '=' in tag value of \"k\"")


def test_quotes_in_keys_and_tag_values_are_literal():
    p = one('m,"host"="a" "f"=1')
    assert p.tags == (('"host"', '"a"'),)
    assert p.fields == (('"f"', F, 1.0),)


def test_quoted_tag_value_does_not_protect_a_space():
    column, message = error('m,host="a b" f=1')
    assert (column, message) == (13, 'expected \'=\' after field key "b""')


def test_tag_value_may_start_with_equals():
    # scanTagsValue checks only later characters for an unescaped '='
    assert one("m,k==v x=1").tags == (("k", "=v"),)


def test_unicode_names_and_values():
    p = one("温度,城市=北京 值=1.5,ok=t 1")
    assert p == Point("温度", (("城市", "北京"),), (("ok", B, True), ("值", F, 1.5)), 1)


# --- layout ------------------------------------------------------------------------------------

def test_comments_and_blank_lines_are_skipped():
    text = "# a comment\n\n   \n\t# indented comment\ncpu x=1 1\n#cpu x=2 2\n\ncpu x=3 3"
    assert [p.fields[0][2] for p in points(text)] == [1.0, 3.0]


def test_line_numbers_count_comments_and_blank_lines():
    text = "# c\n\ncpu x=1\n   \ncpu x=\n"
    assert errors(text) == [(5, 7, 'missing field value for field key "x"')]


def test_crlf_line_endings_are_accepted():
    expected = [Point("cpu", (("host", "a"),), (("x", F, float(i)),), i) for i in range(COPIES)]
    text = "".join(f"cpu,host=a x={i} {i}\r\n" for i in range(COPIES))
    assert points(text) == expected
    assert one('cpu s="v"\r') == Point("cpu", (), (("s", S, "v"),), 0)
    assert one("cpu b=true\r") == Point("cpu", (), (("b", B, True),), 0)


def test_only_one_cr_is_stripped_per_line_whichever_way_lines_are_read():
    expected = [(1, 7, 'invalid number "1\r" for field "x"')]
    assert errors(b"cpu x=1\r\r\n") == expected
    assert errors(b"cpu x=1\r\r") == expected
    # a BOM or invalid UTF-8 elsewhere sends the text down another line splitter: same result
    assert errors(b"cpu x=1\r\r\n\xef\xbb\xbfcpu x=2\r\n") == expected
    assert errors(b"cpu x=1\r\r\nbad\xff x=1\n") == expected + [(2, 4, "invalid UTF-8 sequence")]
    assert one('cpu s="a\r"\r') == Point("cpu", (), (("s", S, "a\r"),), 0)
    assert points(b'cpu s="a\r\r\nb" 1\r\n') == [Point("cpu", (), (("s", S, "a\r\r\nb"),), 1)]


def test_unit_separator_character_is_ordinary_data():
    # \x1f is what the fast line splitter splits columns on; a line of just that is not blank
    assert errors("cpu x=1\n\x1f\n") == [
        (2, 2, 'missing fields: expected a space and a field set after "\x1f"')]
    assert errors("\n\x1f") == [
        (2, 2, 'missing fields: expected a space and a field set after "\x1f"')]
    assert one('c\x1fpu,k=\x1f s="\x1f" 1') == Point("c\x1fpu", (("k", "\x1f"),),
                                                      (("s", S, "\x1f"),), 1)


def test_cr_inside_a_line_is_data():
    assert one("cpu,k=a\rb s=\"x\ry\" 1") == Point("cpu", (("k", "a\rb"),),
                                                   (("s", S, "x\ry"),), 1)


def test_leading_whitespace_is_skipped():
    assert one("  \t cpu x=1 5") == Point("cpu", (), (("x", F, 1.0),), 5)


def test_whitespace_before_fields_and_timestamp():
    assert one("cpu  \tx=1 \t 5  ") == Point("cpu", (), (("x", F, 1.0),), 5)
    assert one("cpu x=1  ") == Point("cpu", (), (("x", F, 1.0),), 0)


def test_no_trailing_newline_and_empty_input():
    assert points("cpu x=1 1") == [Point("cpu", (), (("x", F, 1.0),), 1)]
    assert points("") == []
    assert points(b"") == []
    assert points("\n\n# only comments\n") == []
    assert parse("").dropped == []


def test_bytes_and_str_give_the_same_points():
    text = "cpu,host=é x=1,s=\"☃\" 1\n"
    assert points(text.encode()) == points(text)


def test_byte_order_mark_is_part_of_the_measurement_as_in_influxdb():
    assert one("\ufeffcpu x=1").measurement == "\ufeffcpu"
    assert [p.measurement for p in points(b"\xef\xbb\xbfcpu x=1\ncpu x=2\n")] == [
        "\ufeffcpu", "cpu"]


@pytest.mark.parametrize(("precision", "time"), [
    ("ns", 5), ("us", 5_000), ("ms", 5_000_000), ("s", 5_000_000_000),
])
def test_precision_scales_the_timestamp(precision, time):
    assert one("cpu x=1 5", precision=precision).time == time
    assert one("cpu x=1 -5", precision=precision).time == -time
    assert precision_factor(precision) == time // 5


@pytest.mark.parametrize(("precision", "time"), [
    ("ns", 1_234_567_891_234), ("us", 1_234_567_891_000), ("ms", 1_234_567_000_000),
    ("s", 1_234_000_000_000),
])
def test_missing_timestamp_takes_default_time_truncated_to_precision(precision, time):
    p = one("cpu x=1", precision=precision, default_time=1_234_567_891_234)
    assert p.time == time
    # every such point of a batch gets the same time; explicit ones keep theirs
    batch = points("cpu x=1\ncpu x=2 7\ncpu x=3", precision=precision,
                   default_time=1_234_567_891_234)
    assert [p.time for p in batch] == [time, 7 * precision_factor(precision), time]


def test_timestamp_range_edges():
    assert one("cpu x=1 9223372036854775806").time == 9223372036854775806
    assert one("cpu x=1 -9223372036854775806").time == -9223372036854775806
    assert one("cpu x=1 9223372036", precision="s").time == 9223372036 * 10**9
    assert one("cpu x=1 0").time == 0
    assert one("cpu x=1 -0").time == 0
    assert one("cpu x=1 0005").time == 5


# --- canonical points --------------------------------------------------------------------------

def test_tags_are_sorted_whatever_the_input_order():
    expected = (("a", "2"), ("m", "3"), ("z", "1"))
    assert one("cpu,z=1,a=2,m=3 x=1").tags == expected
    assert one("cpu,a=2,m=3,z=1 x=1").tags == expected


def test_fields_are_sorted():
    assert [k for k, _, _ in one("cpu z=1,a=2,m=3").fields] == ["a", "m", "z"]


def test_duplicate_field_keys_last_wins():
    assert one("cpu x=1,y=2,x=3").fields == (("x", F, 3.0), ("y", F, 2.0))
    assert one('cpu x=1,x="s"').fields == (("x", S, "s"),)
    assert one("cpu x=1i,y=t,x=2.5 9") == Point("cpu", (), (("x", F, 2.5), ("y", B, True)), 9)


def test_field_named_time_is_dropped():
    assert one("cpu time=5,x=1 3") == Point("cpu", (), (("x", F, 1.0),), 3)
    assert one('cpu x=1,time="s"') == Point("cpu", (), (("x", F, 1.0),), 0)


@pytest.mark.parametrize("vectorized", [False, True])
def test_point_with_only_a_time_field_is_dropped_and_counted(vectorized):
    text = "cpu time=5 1\ncpu x=1 2\ncpu time=1i\n" + "cpu x=1 3\n" * COPIES
    batch = parse(text, vectorized=vectorized)
    assert [p.time for p in batch.to_points()] == [2] + [3] * COPIES
    assert batch.dropped == [Dropped("invalid_field", 'input field "time" is invalid', 2)]
    assert batch.points == COPIES + 1


def test_tag_and_field_with_the_same_key_are_both_kept():
    p = one("cpu,x=a,y=b x=1,y=\"s\"")
    assert p == Point("cpu", (("x", "a"), ("y", "b")), (("x", F, 1.0), ("y", S, "s")), 0)


def test_points_keep_line_order_across_measurements_and_types():
    text = "a x=1 1\nb x=1i 2\na x=\"s\" 3\n" + "a x=2 4\n" * COPIES + "b y=t 5\n"
    got = points(text)
    assert [(p.measurement, p.time) for p in got] == (
        [("a", 1), ("b", 2), ("a", 3)] + [("a", 4)] * COPIES + [("b", 5)])
    assert [p.fields[0][1] for p in got[:3]] == [F, INT, S]


def test_points_without_some_tags_or_fields_in_one_measurement():
    got = points("m,a=1 x=1 1\nm,b=2 y=2i 2\nm x=3,y=4i 3\n")
    assert got == [
        Point("m", (("a", "1"),), (("x", F, 1.0),), 1),
        Point("m", (("b", "2"),), (("y", INT, 2),), 2),
        Point("m", (), (("x", F, 3.0), ("y", INT, 4)), 3),
    ]


# --- quoted strings across lines ---------------------------------------------------------------

def test_quoted_string_with_a_raw_newline_spans_two_lines():
    text = 'cpu s="line1\nline2",x=1 7\ncpu x=2 8\n'
    assert points(text) == [
        Point("cpu", (), (("s", S, "line1\nline2"), ("x", F, 1.0)), 7),
        Point("cpu", (), (("x", F, 2.0),), 8),
    ]


def test_quoted_string_spanning_lines_that_look_like_points_comments_and_blanks():
    inner = "\n".join(["cpu x=1 1"] * COPIES + ["# not a comment", "", "end"])
    text = f'cpu s="{inner}" 5\n' + "cpu x=2 6\n" * COPIES
    got = points(text)
    assert got[0] == Point("cpu", (), (("s", S, inner),), 5)
    assert got[1:] == [Point("cpu", (), (("x", F, 2.0),), 6)] * COPIES


def test_crlf_inside_a_quoted_string_is_kept():
    assert points('cpu s="a\r\nb\r\n\r\nc" 1\r\ncpu x=1 2\r\n') == [
        Point("cpu", (), (("s", S, "a\r\nb\r\n\r\nc"),), 1),
        Point("cpu", (), (("x", F, 1.0),), 2),
    ]
    assert points(b'cpu s="a\r\nb" 1\r\n') == [Point("cpu", (), (("s", S, "a\r\nb"),), 1)]


def test_error_after_a_multiline_string_is_placed_on_its_physical_line():
    assert errors('cpu x=1\ncpu s="a\nbc" junk\ncpu x=2\n') == [
        (3, 5, 'bad timestamp "junk": expected an integer')]


def test_unterminated_string_swallows_the_following_lines():
    text = 'cpu x=1\ncpu s="abc\ncpu x=2\ncpu x=3\n'
    assert errors(text) == [
        (2, 7, 'unbalanced quotes: string value of field "s" is not closed')]


# --- errors: one bad line ----------------------------------------------------------------------

@pytest.mark.parametrize(("line", "column", "message"), [
    (",host=a x=1", 1, "missing measurement"),
    ("  ,host=a x=1", 3, "missing measurement"),
    ("cpu", 4, 'missing fields: expected a space and a field set after "cpu"'),
    (r"my\ cpu", 8, 'missing fields: expected a space and a field set after "my cpu"'),
    ("cpu ", 5, "missing fields"),
    ("cpu,host=a", 11, "missing fields: expected a space and fields after the tags"),
    ("cpu,host= x=1", 10, 'missing tag value for tag key "host"'),
    ("cpu,host=,a=b x=1", 10, 'missing tag value for tag key "host"'),
    ("cpu,host=", 10, 'missing tag value for tag key "host"'),
    ("cpu,host x=1", 9, "expected '=' after tag key \"host\""),
    ("cpu,host,a=b x=1", 9, "expected '=' after tag key \"host\""),
    ("cpu,=a x=1", 5, "missing tag key"),
    ("cpu, x=1", 5, "missing tag key"),
    ("cpu,a=1, x=1", 9, "missing tag key"),
    ("cpu,host=a temp 5", 16, "expected '=' after field key \"temp\""),
    ("cpu temp,x=1", 9, "expected '=' after field key \"temp\""),
    ("cpu x=1,temp", 13, "expected '=' after field key \"temp\""),
    ("cpu =1", 5, "missing field key"),
    ("cpu x=1,=2", 9, "missing field key"),
    ("cpu x=1,", 9, "missing field key"),
    ("cpu x=1,,y=2", 9, "missing field key"),
    ("cpu x=", 7, 'missing field value for field key "x"'),
    ("cpu x=,y=1", 7, 'missing field value for field key "x"'),
    ("cpu x= 1", 7, 'missing field value for field key "x"'),
    ("cpu b=yes", 7, 'invalid boolean "yes" for field "b"'),
    ("cpu b=tru", 7, 'invalid boolean "tru" for field "b"'),
    ("cpu b=tRUE", 7, 'invalid boolean "tRUE" for field "b"'),
    ("cpu b=inf", 7, 'invalid boolean "inf" for field "b"'),
    ("cpu b=+1", 7, 'invalid boolean "+1" for field "b"'),
    ("cpu x=1,b=truee", 11, 'invalid boolean "truee" for field "b"'),
    ("cpu x=1.1.1", 7, 'invalid number "1.1.1" for field "x"'),
    ("cpu x=1e5i", 7, 'invalid number "1e5i" for field "x"'),
    ("cpu x=1.5i", 7, 'invalid number "1.5i" for field "x"'),
    ("cpu x=-5u", 7, 'invalid number "-5u" for field "x"'),
    ("cpu x=1.0u", 7, 'invalid number "1.0u" for field "x"'),
    ("cpu x=5ii", 7, 'invalid number "5ii" for field "x"'),
    ("cpu x=9i10", 7, 'invalid number "9i10" for field "x"'),
    ("cpu x=-", 7, 'invalid number "-" for field "x"'),
    ("cpu x=.", 7, 'invalid number "." for field "x"'),
    ("cpu x=1e", 7, 'invalid number "1e" for field "x"'),
    ("cpu x=0x10", 7, 'invalid number "0x10" for field "x"'),
    ("cpu x=1_000", 7, 'invalid number "1_000" for field "x"'),
    ("cpu x=12abc", 7, 'invalid number "12abc" for field "x"'),
    ("cpu x=1,y=2.2.2", 11, 'invalid number "2.2.2" for field "y"'),
    ("cpu x=NaN", 7, 'NaN is an unsupported value for field "x"'),
    ("cpu x=nan", 7, 'nan is an unsupported value for field "x"'),
    ("cpu x=-inf", 7, '-inf is an unsupported value for field "x"'),
    ("cpu x=1e400", 7, 'invalid float "1e400" for field "x": value out of range'),
    ("cpu x=-1e309", 7, 'invalid float "-1e309" for field "x": value out of range'),
    ('cpu s="abc', 7, 'unbalanced quotes: string value of field "s" is not closed'),
    ('cpu x=1,s="abc\\"', 11, 'unbalanced quotes: string value of field "s" is not closed'),
    ('cpu s="a"b', 10, 'expected \',\' or \' \' after the string value of field "s"'),
    ("cpu x=1 12a", 9, 'bad timestamp "12a": expected an integer'),
    ("cpu x=1 1.5", 9, 'bad timestamp "1.5": expected an integer'),
    ("cpu x=1 -", 9, 'bad timestamp "-": expected an integer'),
    ("cpu x=1 1e9", 9, 'bad timestamp "1e9": expected an integer'),
    ("cpu x=1 1 2", 11, "unexpected text after the timestamp"),
    ("cpu x=1 1 x=2", 11, "unexpected text after the timestamp"),
    ("cpu x=9223372036854775808i", 7,
     "unable to parse integer 9223372036854775808: value out of range"),
    ("cpu x=-9223372036854775809i", 7,
     "unable to parse integer -9223372036854775809: value out of range"),
    ("cpu x=18446744073709551616u", 7,
     "unable to parse unsigned 18446744073709551616: value out of range"),
    ("cpu x=1 9223372036854775807", 9, "bad timestamp 9223372036854775807: out of range"),
    ("cpu x=1 -9223372036854775807", 9, "bad timestamp -9223372036854775807: out of range"),
    ("cpu x=1 99999999999999999999", 9, "bad timestamp 99999999999999999999: out of range"),
    ("cpu,a=1,b=2,a=3 x=1", 13, 'duplicate tags: tag key "a" appears twice'),
    (r"cpu,a\ b=1,a\ b=2 x=1", 12, 'duplicate tags: tag key "a b" appears twice'),
    ("cpu,_measurement=a x=1", 5, 'cannot use reserved tag key "_measurement"'),
    ("cpu,_field=a x=1", 5, 'cannot use reserved tag key "_field"'),
    ("cpu,a=1,time=a x=1", 9, 'cannot use reserved tag key "time"'),
    ("cpu,a=b=c x=1", 8, "invalid tag format: unescaped '=' in tag value of \"a\""),
    ("cpu,a=b,c=d=e x=1", 12, "invalid tag format: unescaped '=' in tag value of \"c\""),
    # InfluxDB reads ASCII digits only; Python's int()/float() would take other scripts' digits
    ("cpu x=\u0663", 7, 'invalid boolean "\u0663" for field "x"'),
    ("cpu x=\u0663i", 7, 'invalid boolean "\u0663i" for field "x"'),
    ("cpu x=1\u0663", 7, 'invalid number "1\u0663" for field "x"'),
    ("cpu x=1 \u0661\u0662", 9, 'bad timestamp "\u0661\u0662": expected an integer'),
])
def test_error_position_and_message(line, column, message):
    assert error(line) == (column, message)


def test_timestamp_out_of_range_after_precision_scaling():
    assert error("cpu x=1 9223372037", precision="s") == (
        9, "bad timestamp 9223372037: out of range")
    assert error("cpu x=1 -9223372036855", precision="ms") == (
        9, "bad timestamp -9223372036855: out of range")


def test_error_str_names_line_and_column():
    text = "cpu x=1\ncpu x=2\ncpu,host=ab temp 5\n"
    with pytest.raises(LineProtocolError) as info:
        parse(text)
    assert str(info.value) == "line 3, column 17: expected '=' after field key \"temp\""
    assert info.value.first == LineError(
        3, 17, "expected '=' after field key \"temp\"", "cpu,host=ab temp 5")


def test_max_key_length():
    long_tag = "v" * 65_532
    line = f"m,k={long_tag} x=1"
    assert error(line) == (1, "max key length exceeded: 65536 > 65535")
    assert one(f"m,k={long_tag[:-1]} x=1").tags == (("k", long_tag[:-1]),)
    # multibyte characters count in bytes
    assert error("m,k=" + "é" * 32_766 + " x=1") == (1, "max key length exceeded: 65536 > 65535")
    # a short first line must not let the vectorized path take a too long line of its shape
    text = "m,k=a x=1 1\n" * COPIES + line + "\n"
    assert errors(text) == [(COPIES + 1, 1, "max key length exceeded: 65536 > 65535")]


def test_invalid_precision():
    for bad in ("n", "u", "h", "m", "NS", ""):
        with pytest.raises(InvalidArgument) as info:
            parse("cpu x=1 1", precision=bad)
        assert str(info.value) == (
            f"invalid precision {bad!r}; valid precision units are ns, us, ms, and s")
        with pytest.raises(InvalidArgument):
            precision_factor(bad)


def test_invalid_utf8():
    assert errors(b"cpu x=1\ncp\xffu x=1\ncpu x=2\n") == [(2, 3, "invalid UTF-8 sequence")]
    # the column counts characters, like every other column
    assert errors("cpu,k=é x=\"".encode() + b"\xc3\x28\"\n") == [
        (1, 12, "invalid UTF-8 sequence")]


def test_invalid_utf8_and_syntax_errors_are_all_listed():
    text = b"cpu x=1\nbad\xff x=1\nalso bad\n" + b"cpu x=1 1\n" * COPIES + b"cpu x=\n"
    assert errors(text) == [
        (2, 4, "invalid UTF-8 sequence"),
        (3, 9, "expected '=' after field key \"bad\""),
        (COPIES + 4, 7, 'missing field value for field key "x"'),
    ]


# --- errors: several bad lines -----------------------------------------------------------------

def test_all_bad_lines_are_listed_sorted():
    good = "cpu,host=a x=1 1\n"
    text = (good * COPIES + "cpu x=yes\n" + good + "cpu\n" + "# cpu x=\n" + ",a=b x=1\n"
            + good * COPIES + "cpu x=1 1.5\n")
    assert errors(text) == [
        (COPIES + 1, 7, 'invalid boolean "yes" for field "x"'),
        (COPIES + 3, 4, 'missing fields: expected a space and a field set after "cpu"'),
        (COPIES + 5, 1, "missing measurement"),
        (2 * COPIES + 6, 9, 'bad timestamp "1.5": expected an integer'),
    ]


def test_error_message_counts_the_other_bad_lines_and_names_the_source():
    with pytest.raises(LineProtocolError) as info:
        parse("cpu\ncpu x=1\ncpu y=\ncpu z=\n", source="data.lp")
    assert str(info.value) == (
        'data.lp: line 1, column 4: missing fields: expected a space and a field set after "cpu"'
        " (and 2 more bad lines)")
    assert info.value.source == "data.lp"
    assert [e.text for e in info.value.errors] == ["cpu", "cpu y=", "cpu z="]
    with pytest.raises(LineProtocolError) as info:
        parse("cpu x=1\ncpu y=\ncpu z=\n")
    assert str(info.value).endswith("(and 1 more bad line)")


def test_first_line_offsets_line_numbers():
    assert errors("cpu x=1\ncpu x=\n", first_line=101) == [
        (102, 7, 'missing field value for field key "x"')]
    text = "cpu x=1\n" * COPIES + 'cpu s="a\nb" junk\n'
    assert errors(text, first_line=11) == [
        (COPIES + 12, 4, 'bad timestamp "junk": expected an integer')]


@pytest.mark.parametrize("vectorized", [False, True])
def test_any_bad_line_rejects_the_whole_request(vectorized):
    text = "cpu,host=a x=1 1\n" * 100 + "cpu x=1 1 extra\n" + "cpu,host=a x=1 1\n" * 100
    with pytest.raises(LineProtocolError) as info:
        parse(text, vectorized=vectorized)
    assert [(e.line, e.column) for e in info.value.errors] == [(101, 11)]


# --- vectorized path edge cases -----------------------------------------------------------------

@pytest.mark.parametrize("odd", [
    "cpu,host=a x=1 99999999999999999999",  # beyond int64: must not vanish
    "cpu,host=a x=1 9223372036854775807",
    "cpu,host=a x=1e400 1",
    "cpu,host=a x=\u0663 1",
    "cpu,host=a x=1.1.1 1",
])
def test_vectorized_path_never_drops_a_bad_line_of_its_shape(odd):
    good = "cpu,host=a x=1 1\n" * COPIES
    [(line, _, _)] = errors(good + odd + "\n" + good)
    assert line == COPIES + 1


@pytest.mark.parametrize("vectorized", [False, True])
def test_shape_lines_with_values_that_need_the_exact_path(vectorized):
    lines = [f"cpu,host=h{i} x={i},s=\"v{i}\" {i}" for i in range(COPIES)]
    lines[3] = 'cpu,host=h3 x=3,s="with space" 3'
    lines[5] = 'cpu,host=h\\ 5 x=5,s="v5" 5'
    lines[7] = 'cpu,host=h7 x=7,s="a,b" 7'
    lines[9] = 'cpu,host=h9 x=9i,s="v9" 9'
    got = parse("\n".join(lines), vectorized=vectorized).to_points()
    assert len(got) == COPIES
    assert got[3].fields[0] == ("s", S, "with space")
    assert got[5].tags == (("host", "h 5"),)
    assert got[7].fields[0] == ("s", S, "a,b")
    assert got[9].fields[1] == ("x", INT, 9)
    assert got[10] == Point("cpu", (("host", "h10"),), (("s", S, "v10"), ("x", F, 10.0)), 10)
