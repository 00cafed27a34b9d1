"""Property tests of line protocol: format -> parse round trips, and the vectorized path agreeing
with the exact one on texts where it really runs."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.errors import LineProtocolError
from storage.lineprotocol import PRECISIONS, FieldType, Point, parse
from storage.lineprotocol.fast import MIN_LINES_FOR_A_SHAPE, parse_fast
from storage.lineprotocol.format import format_lines, format_points, format_segment, segments_of
from storage.lineprotocol.model import LINE
from storage.lineprotocol.parse import split_lines
from storage.lineprotocol.scanner import MAX_TIME, MIN_TIME, RESERVED_TAG_KEYS

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])

# characters line protocol treats specially, mixed into arbitrary (non-surrogate) unicode
SPECIAL = ' ,="\\#\t\r\x00\x1féß☃日\U0001f600'
CHARS = st.one_of(st.sampled_from(SPECIAL), st.characters(codec="utf-8"))


def _representable(s: str) -> bool:
    """Names and tag values cannot hold a newline nor end in a backslash (it would escape the
    delimiter after it)."""
    return "\n" not in s and not s.endswith("\\")


NAME = st.text(CHARS, min_size=1, max_size=6).filter(_representable)
MEASUREMENT = NAME.filter(lambda s: s[0] not in "# \t\x00")  # else a comment / skipped blanks
TAG_KEY = NAME.filter(lambda s: s not in RESERVED_TAG_KEYS)
# a field key is read after skipping blanks; a space can be escaped, a tab or NUL cannot
FIELD_KEY = NAME.filter(lambda s: s != "time" and s[0] not in "\t\x00")
TAG_VALUE = NAME
VALUES = {
    FieldType.FLOAT: st.floats(allow_nan=False, allow_infinity=False),
    FieldType.INTEGER: st.integers(-(2**63), 2**63 - 1),
    FieldType.UNSIGNED: st.integers(0, 2**64 - 1),
    FieldType.STRING: st.text(st.one_of(st.sampled_from(SPECIAL + "\n\r"), CHARS), max_size=8),
    FieldType.BOOLEAN: st.booleans(),
}
TIMES = st.integers(MIN_TIME, MAX_TIME)


def _point(measurement, tags, fields, time) -> Point:
    return Point(measurement, tuple(sorted(tags.items())),
                 tuple(sorted(fields, key=lambda f: f[0])), time)


@st.composite
def point_lists(draw) -> list[Point]:
    """Points over a few measurements and keys, so that they share segments and columns."""
    measurements = draw(st.lists(MEASUREMENT, min_size=1, max_size=3, unique=True))
    tag_keys = draw(st.lists(TAG_KEY, max_size=4, unique=True))
    field_keys = draw(st.lists(FIELD_KEY, min_size=1, max_size=4, unique=True))
    points = []
    for _ in range(draw(st.integers(1, 20))):
        tags = draw(st.dictionaries(st.sampled_from(tag_keys), TAG_VALUE)) if tag_keys else {}
        keys = draw(st.lists(st.sampled_from(field_keys), min_size=1, unique=True))
        fields = []
        for key in keys:
            ftype = draw(st.sampled_from(list(FieldType)))
            fields.append((key, ftype, draw(VALUES[ftype])))
        points.append(_point(draw(st.sampled_from(measurements)), tags, fields, draw(TIMES)))
    return points


PLAIN = "abcxyz_09é日"
PLAIN_NAME = st.text(PLAIN, min_size=1, max_size=4)


@st.composite
def uniform_batches(draw) -> list[Point]:
    """Enough points of one shape for the vectorized path, keys plain or not, values anything."""
    measurement = draw(st.one_of(PLAIN_NAME, MEASUREMENT))
    tag_keys = draw(st.lists(st.one_of(PLAIN_NAME, TAG_KEY), max_size=3, unique=True))
    fields = draw(st.lists(st.tuples(st.one_of(PLAIN_NAME, FIELD_KEY),
                                     st.sampled_from(list(FieldType))),
                           min_size=1, max_size=3, unique_by=lambda f: f[0]))
    tag_value = st.one_of(PLAIN_NAME, TAG_VALUE)
    return [
        _point(measurement, {k: draw(tag_value) for k in tag_keys},
               [(k, t, draw(VALUES[t])) for k, t in fields], draw(TIMES))
        for _ in range(draw(st.integers(MIN_LINES_FOR_A_SHAPE, 3 * MIN_LINES_FOR_A_SHAPE)))
    ]


def _both(text: str) -> list[Point]:
    exact = parse(text, vectorized=False).to_points()
    assert parse(text).to_points() == exact
    return exact


# --- (a) round trips ---------------------------------------------------------------------------

@SETTINGS
@given(point_lists())
def test_format_then_parse_gives_back_the_points(points):
    assert _both(format_points(points)) == points


@SETTINGS
@given(uniform_batches())
def test_format_then_parse_gives_back_uniform_batches(points):
    assert _both(format_points(points)) == points


@settings(SETTINGS, max_examples=30)
@given(point_lists())
def test_formatting_parsed_segments_gives_the_same_lines(points):
    """Segments as the parser builds them format to the very lines they were parsed from."""
    original = [line for seg in segments_of(points) for line in format_segment(seg).to_list()]
    for vectorized in (True, False):
        batch = parse(format_points(points), vectorized=vectorized)
        lines = [line for seg in batch.segments for line in format_segment(seg).to_list()]
        assert sorted(lines) == sorted(original)
        assert sorted(_both(format_lines(batch.segments)), key=repr) == sorted(points, key=repr)


def test_format_segment_leaves_out_missing_values_of_every_type():
    b, f = FieldType.BOOLEAN, FieldType.FLOAT
    points = [
        Point("m", (), (("b", b, True), ("v", f, 1.0)), 1),
        Point("m", (), (("v", f, 2.0),), 2),  # no b: must not come out as b=false
        Point("m", (), (("b", b, False),), 3),
    ]
    [segment] = segments_of(points)
    assert format_segment(segment).to_list() == ["m b=true,v=1.0 1", "m v=2.0 2", "m b=false 3"]


def test_segments_of_keeps_order_and_groups_runs():
    f, i = FieldType.FLOAT, FieldType.INTEGER
    points = [
        Point("a", (("t", "1"),), (("x", f, 1.0),), 1),
        Point("a", (), (("y", i, 2),), 2),
        Point("a", (("u", "2"),), (("x", i, 3),), 3),  # x changes type: new segment
        Point("b", (), (("x", f, 4.0),), 4),
    ]
    segments = segments_of(points)
    assert [(s.measurement, s.height, s.tags, s.fields) for s in segments] == [
        ("a", 2, ["t"], {"x": f, "y": i}),
        ("a", 1, ["u"], {"x": i}),
        ("b", 1, [], {"x": f}),
    ]
    assert format_points(points) == "a,t=1 x=1.0 1\na y=2i 2\na,u=2 x=3i 3\nb x=4.0 4\n"
    assert parse(format_points(points)).to_points() == points


# --- (b) vectorized path == exact path ---------------------------------------------------------

_BOOLEAN_TOKENS = ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"]


def _string_token(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mostly(usual: st.SearchStrategy, rare: st.SearchStrategy) -> st.SearchStrategy:
    """`usual` nine times in ten, so that most lines stay plain enough for the vectorized path."""
    return st.integers(0, 9).flatmap(lambda n: rare if n == 0 else usual)


GOOD_TOKENS = {
    FieldType.FLOAT: st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(repr),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(["1.", ".5", "-.5", "1E5", "-0", "007.5", "1e-400", "2.5e+3", "0"]),
    ),
    FieldType.INTEGER: st.integers(-(2**63), 2**63 - 1).map(lambda v: f"{v}i"),
    FieldType.UNSIGNED: st.integers(0, 2**64 - 1).map(lambda v: f"{v}u"),
    FieldType.STRING: _mostly(st.text(PLAIN + "=#", max_size=6),
                              st.text(PLAIN + ' ,="\\\n\r#', max_size=6)).map(_string_token),
    FieldType.BOOLEAN: st.sampled_from(_BOOLEAN_TOKENS),
}
# tokens that are wrong, or right but of another type or needing the exact path
ODD_TOKENS = st.sampled_from([
    "1e400", "1.1.1", "NaN", "-inf", "\u0663", "1\u0663", "1e", "1_0", "-", "1e5i", "-5u", "",
    "9223372036854775808i", "18446744073709551616u", "yes", '"open', '"a"b', "1i", "2u", "t",
    '"s"', "1.5", '"with space"', '"a,b"', '"x\\"y"',
])
GOOD_TAG_VALUES = _mostly(
    st.text(PLAIN + '"\t#:', min_size=1, max_size=5),
    st.sampled_from([r"a\ b", r"a\,b", r"a\=b", "=x", r"x\\y", "\u0663"]),
)
ODD_TAG_VALUES = st.sampled_from(["", "a=b", "a b", r"a\\"])
GOOD_TIMES = st.one_of(st.none(), st.integers(-(10**18), 10**18).map(str),
                       st.sampled_from(["9223372036", "-9223372036", "0", "-0", "007"]))
ODD_TIMES = st.sampled_from([
    "99999999999999999999", "9223372036854775807", "9223372036854775806", "-9223372036854775807",
    "1.5", "12a", "-", "1 2", "\u0661", "1e9", " 5", "5 ",
])
ODD_LINES = st.sampled_from([
    "", "   ", "# comment", "  # indented comment", "#cpu x=1", "cpu", "cpu ", ",x=1",
    "  cpu,host=a x=1 5", "\tcpu x=1", 'cpu s="open', 'cpu s="a\nb" 1', 'cpu s="a\nb" junk',
    "cpu x=1,x=2i 3", "cpu time=1", "cpu time=1,y=2", "cpu,time=a x=1", "cpu x=1 1 1",
    "cpu,a=b,a=c x=1", "\ufeffcpu x=1", "cpu\\ x x=1", "cpu x=1\r", 'm s="a\\"b\\\\" 1',
    "cpu,host=a x=", "cpu x=1,", "\r", "m,k=" + "v" * 65_532 + " x=1",
])


@st.composite
def mixed_texts(draw) -> str:
    """Many lines of a few shapes (so the vectorized path runs), some bent, plus odd lines."""
    lines = []
    for _ in range(draw(st.integers(1, 3))):
        measurement = draw(st.text(PLAIN + '"=#', min_size=1, max_size=4).filter(
            lambda s: s[0] != "#"))
        tag_keys = draw(st.lists(st.text(PLAIN + '"', min_size=1, max_size=3).filter(
            lambda s: s not in RESERVED_TAG_KEYS), max_size=3, unique=True))
        fields = draw(st.lists(
            st.tuples(st.text(PLAIN + '"#', min_size=1, max_size=3).filter(lambda s: s != "time"),
                      st.sampled_from(list(FieldType))),
            min_size=1, max_size=3, unique_by=lambda f: f[0]))
        for _ in range(draw(st.integers(MIN_LINES_FOR_A_SHAPE, 2 * MIN_LINES_FOR_A_SHAPE))):
            odd = draw(st.integers(0, 40)) == 0  # now and then bend one part of the line
            where = draw(st.sampled_from(["tag", "field", "time"])) if odd else None
            tags = [f"{k}={draw(ODD_TAG_VALUES if where == 'tag' else GOOD_TAG_VALUES)}"
                    for k in tag_keys]
            values = [f"{k}={draw(ODD_TOKENS if where == 'field' else GOOD_TOKENS[t])}"
                      for k, t in fields]
            time = draw(ODD_TIMES if where == "time" else GOOD_TIMES)
            if draw(st.integers(0, 30)) == 0:
                tags.reverse()
            line = measurement + "".join("," + t for t in tags) + " " + ",".join(values)
            lines.append(line if time is None else f"{line} {time}")
    lines += draw(st.lists(ODD_LINES, max_size=4))
    lines = draw(st.permutations(lines))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(lines) + draw(st.sampled_from(["", end]))


def _outcome(text: str, vectorized: bool, precision: str):
    try:
        batch = parse(text, precision, 1_234_567_891_234_567, vectorized=vectorized)
    except LineProtocolError as e:
        return "error", e.errors
    return "ok", batch.to_points(), batch.dropped


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(mixed_texts(), st.sampled_from(sorted(PRECISIONS)))
def test_vectorized_path_gives_what_the_exact_path_gives(text, precision):
    assert _outcome(text, True, precision) == _outcome(text, False, precision)


@SETTINGS
@given(st.lists(st.sampled_from([
    "cpu,host=a x=1 1", "cpu,host=b x=2.5 2", 'cpu,host=c x=3,s="a b" 3', "cpu,host=d x=4i 4",
]), min_size=MIN_LINES_FOR_A_SHAPE, max_size=60), st.lists(st.tuples(st.integers(0, 59), ODD_LINES
                                                                     ), max_size=5))
def test_vectorized_path_with_odd_lines_inserted(lines, inserts):
    for at, odd in inserts:
        lines.insert(at, odd)
    text = "\n".join(lines)
    assert _outcome(text, True, "ns") == _outcome(text, False, "ns")


# --- the vectorized path is really taken --------------------------------------------------------

def test_plain_lines_never_reach_the_exact_parser(exact_calls):
    text = "".join(f"cpu,host=h{i % 3},dc=x usage={i}.5,n={i}i,ok=t,s=\"v{i}\" {i}\n"
                   for i in range(200))
    got = parse(text).to_points()
    assert exact_calls == []
    assert len(got) == 200 and got[7] == Point(
        "cpu", (("dc", "x"), ("host", "h1")),
        (("n", FieldType.INTEGER, 7), ("ok", FieldType.BOOLEAN, True),
         ("s", FieldType.STRING, "v7"), ("usage", FieldType.FLOAT, 7.5)), 7)
    assert parse(text, vectorized=False).to_points() == got
    assert len(exact_calls) == 200


def test_only_odd_lines_reach_the_exact_parser(exact_calls):
    lines = [f"cpu,host=a x={i} {i}" for i in range(100)]
    lines[10] = r"cpu,host=a\ b x=10 10"
    lines[50] = "cpu,host=a x=1e400 50"
    lines[70] = "mem free=1i 70"
    with pytest.raises(LineProtocolError) as info:
        parse("\n".join(lines))
    assert [(e.line, e.message) for e in info.value.errors] == [
        (51, 'invalid float "1e400" for field "x": value out of range')]
    assert sorted(exact_calls) == sorted([lines[10], lines[50], lines[70]])


def test_parse_fast_takes_every_plain_line_and_leaves_the_rest():
    shapes = ["cpu,host=a x={i} {i}", "mem,host=b free={i}i,ok=f", 'disk path="/{i}" {i}']
    text = "\n".join(shapes[i % 3].format(i=i) for i in range(90))
    segments, left = parse_fast(split_lines(text), 0, 1)
    assert left.height == 0
    assert sorted((s.measurement, s.height) for s in segments) == [
        ("cpu", 30), ("disk", 30), ("mem", 30)]
    assert sum(s.height for s in segments) == 90

    lines = text.split("\n") + ["cpu,host=a\\ b x=1 1", "  cpu,host=a x=1 1", "cpu,host=a x=1i 1"]
    segments, left = parse_fast(split_lines("\n".join(lines)), 0, 1)
    assert left[LINE].to_list() == [91, 92, 93]
    assert sum(s.height for s in segments) == 90


def test_too_few_lines_of_a_shape_go_to_the_exact_path():
    text = "\n".join(f"cpu x={i}" for i in range(MIN_LINES_FOR_A_SHAPE - 1))
    segments, left = parse_fast(split_lines(text), 0, 1)
    assert segments == [] and left.height == MIN_LINES_FOR_A_SHAPE - 1


# --- splitting into lines ----------------------------------------------------------------------

@SETTINGS
@given(st.lists(st.one_of(
    st.text(st.one_of(st.sampled_from("\r\x1f\x00,\"# \ufeff"), st.characters(codec="utf-8")),
            max_size=4),
    st.sampled_from(["\n", "\r\n", "\r\r\n", "\r", "\r\r", "\n\n"]),
), max_size=12).map("".join))
def test_split_lines_is_a_plain_split_on_newlines(text):
    expected = text.split("\n")
    if expected[-1] == "":
        expected.pop()
    frame = split_lines(text.encode(), first_line=5)
    assert frame["text"].to_list() == [line.removesuffix("\r") for line in expected]
    assert frame[LINE].to_list() == list(range(5, 5 + len(expected)))
    assert frame[LINE].dtype == pl.UInt32
