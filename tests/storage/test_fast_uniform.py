"""The whole-request path (`uniform.py`): requests whose lines share one shape are read with one
CSV split, and must give what the exact parser gives, line for line, error for error."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage.errors import LineProtocolError
from storage.lineprotocol import PRECISIONS, FieldType, Point, PointBatch, parse, uniform
from storage.lineprotocol.scanner import RESERVED_TAG_KEYS
from storage.lineprotocol.uniform import MIN_LINES, parse_uniform

PLAIN = "abcxyz_09é日"
_BOOLEAN_TOKENS = ["t", "T", "true", "True", "TRUE", "f", "F", "false", "False", "FALSE"]
GOOD_TOKENS = {
    FieldType.FLOAT: st.one_of(
        st.floats(allow_nan=False, allow_infinity=False).map(repr).filter(lambda s: "+" not in s),
        st.integers(-(10**20), 10**20).map(str),
        st.sampled_from(["1.", ".5", "-.5", "1E5", "-0", "007.5", "1e-400", "2.5e-3", "0"]),
    ),
    FieldType.INTEGER: st.integers(-(2**63), 2**63 - 1).map(lambda v: f"{v}i"),
    FieldType.UNSIGNED: st.integers(0, 2**64 - 1).map(lambda v: f"{v}u"),
    FieldType.STRING: st.text(PLAIN + "#:'", max_size=6).map(lambda s: f'"{s}"'),
    FieldType.BOOLEAN: st.sampled_from(_BOOLEAN_TOKENS),
}
# a value the shape does not take: another type, out of range, or not line protocol at all; the
# line goes to the exact parser alone (the separators stay where the shape has them)
VALUE_ODD = st.sampled_from([
    "1e400", "1.1.1", "NaN", "nan", "inf", "-inf", "Infinity", "\u0663", "1\u0663", "1e", "1_0",
    "-", "1e5i", "-5u", "", "9223372036854775808i", "18446744073709551616u", "yes", "1i", "2u",
    "t", "1.5", "0x10", "1.5f", "i", "u", "-i", "5\t", "\t5", "5\x00", "1e5.5", ".", "-.",
])
# bends of the separators: quotes, spaces, commas or equals signs where the shape has none, or
# escapes; the request as a whole must then take the general path
STRUCTURE_ODD = st.sampled_from([
    '"open', '"a"b"', '"with space"', '"a,b"', '"x\\"y"', '"a=b"', "1 2", "a=b", '"q"',
    "1,x=2", "1 \t", '""x',
])
GOOD_TAG_VALUES = st.text(PLAIN + "\t#:'", min_size=1, max_size=5)
ODD_TAG_VALUES = st.sampled_from(["", "a=b", "a b", r"a\ b", r"a\\", '"q"', "a,b", "\x00", "+1"])
GOOD_TIMES = st.one_of(st.none(), st.integers(-(10**18), 10**18).map(str),
                       st.sampled_from(["9223372036", "-9223372036", "0", "-0", "007"]))
ODD_TIMES = st.sampled_from([
    "99999999999999999999", "9223372036854775807", "9223372036854775806",
    "-9223372036854775807", "1.5", "12a", "-", "1 2", "\u0661", "1e9", " 5", "5 ", "+5", "",
    "\t5", "5\t", "\x005",
])
ODD_LINES = st.sampled_from([
    "", "   ", "# comment", "cpu", "cpu ", ",x=1", "\tcpu x=1", "cpu x=1 1 1", "cpu x=1\r",
    "\ufeffcpu x=1", 'cpu s="a\nb" 1',
])


@pytest.fixture(autouse=True, params=["split", "csv"])
def reader(request, monkeypatch):
    """Every test runs with each way a request is cut into columns: in memory (requests up to
    SPLIT_MAX_BYTES) and by Polars' CSV reader (larger ones)."""
    if request.param == "csv":
        monkeypatch.setattr(uniform, "SPLIT_MAX_BYTES", -1)
    return request.param


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.text(st.sampled_from(", a=\"é\t#\x00"), max_size=8), min_size=1, max_size=6),
       st.sampled_from(["", "\n"]), st.integers(1, 4))
def test_the_in_memory_split_cuts_lines_at_their_first_commas(lines, end, width):
    """A line's columns are its text cut at its first `width - 1` commas (the rest stays in
    the last), then nulls: Python's str.split with a limit, padded."""
    text = "\n".join(lines) + end
    table = uniform._split_columns(text.encode(), width)
    expected = [tuple(line.split(",", width - 1) + [None] * width)[:width]
                for line in text.removesuffix("\n").split("\n")]
    assert table.rows() == expected


def test_the_in_memory_split_refuses_invalid_utf8():
    assert uniform._split_columns(b"cpu x=1\ncpu,h=\xff x=2", 2) is None
    assert uniform._split_columns("cpu,h=é x=1".encode(), 2).rows() == [("cpu", "h=é x=1")]


@st.composite
def uniform_texts(draw) -> str:
    """Lines of one shape, now and then with one value or separator bent, or an odd line."""
    measurement = draw(st.text(PLAIN + "#:'", min_size=1, max_size=4).filter(
        lambda s: s[0] != "#"))
    tag_keys = draw(st.lists(st.text(PLAIN, min_size=1, max_size=3).filter(
        lambda s: s not in RESERVED_TAG_KEYS), max_size=3, unique=True))
    fields = draw(st.lists(
        st.tuples(st.text(PLAIN, min_size=1, max_size=3).filter(lambda s: s != "time"),
                  st.sampled_from(list(FieldType))),
        min_size=1, max_size=4, unique_by=lambda f: f[0]))
    bend = draw(st.sampled_from(["none", "value", "structure", "tag", "time", "line"]))
    lines = []
    for _ in range(draw(st.integers(MIN_LINES, 3 * MIN_LINES))):
        odd = bend != "none" and draw(st.integers(0, 12)) == 0
        where = draw(st.sampled_from(["tag", "field", "time"])) if odd and tag_keys else "field"
        tags = [f"{k}={draw(ODD_TAG_VALUES if odd and bend == 'tag' else GOOD_TAG_VALUES)}"
                for k in tag_keys]
        values = []
        for k, t in fields:
            token = draw(GOOD_TOKENS[t])
            if odd and where == "field" and bend in ("value", "structure") and draw(st.booleans()):
                token = draw(VALUE_ODD if bend == "value" else STRUCTURE_ODD)
            values.append(f"{k}={token}")
        time = draw(ODD_TIMES if odd and bend == "time" else GOOD_TIMES)
        line = measurement + "".join("," + t for t in tags) + " " + ",".join(values)
        lines.append(line if time is None else f"{line} {time}")
    if bend == "line":
        for _ in range(draw(st.integers(1, 2))):
            lines.insert(draw(st.integers(0, len(lines))), draw(ODD_LINES))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"]))


def _outcome(text: str, vectorized: bool, precision: str):
    try:
        batch = parse(text, precision, 1_234_567_891_234_567, vectorized=vectorized)
    except LineProtocolError as e:
        return "error", e.errors
    return "ok", batch.to_points(), batch.dropped


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(uniform_texts(), st.sampled_from(sorted(PRECISIONS)))
def test_uniform_path_gives_what_the_exact_path_gives(text, precision):
    assert _outcome(text, True, precision) == _outcome(text, False, precision)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(uniform_texts())
def test_the_lines_taken_are_exactly_those_the_exact_parser_reads_alike(text):
    """The segment holds what the exact parser makes of its lines; the rest it reads itself."""
    result = parse_uniform(text.encode(), 0, 1)
    if result is None:
        return
    segments, left = result
    taken = [n for seg in segments for n in seg.frame["_line"].to_list()]
    assert not set(taken) & set(left)
    assert sorted(taken + left) == list(range(1, len(taken) + len(left) + 1))
    lines = text.split("\n")
    # a batch's points come in line order, whichever segment (measurement) holds a line
    exact = parse("\n".join(lines[n - 1] for n in sorted(taken)), vectorized=False).to_points()
    assert PointBatch(segments).to_points() == exact


def test_a_uniform_request_is_read_in_one_pass(exact_calls):
    text = "".join(f'cpu,host=h{i % 3},dc=x usage={i}.5,n={i}i,u={i}u,ok=t,s="v{i}" {i}\n'
                   for i in range(50))
    assert parse_uniform(text.encode(), 0, 1) is not None
    got = parse(text).to_points()
    assert exact_calls == []
    assert got[7] == Point(
        "cpu", (("dc", "x"), ("host", "h1")),
        (("n", FieldType.INTEGER, 7), ("ok", FieldType.BOOLEAN, True),
         ("s", FieldType.STRING, "v7"), ("u", FieldType.UNSIGNED, 7),
         ("usage", FieldType.FLOAT, 7.5)), 7)
    assert parse(text, vectorized=False).to_points() == got


def test_values_that_do_not_fit_go_to_the_exact_parser_alone(exact_calls):
    lines = [f"cpu,host=a x={i} {i}" for i in range(40)]
    lines[5] = "cpu,host=a x=1i 5"  # another type: read by the exact parser
    lines[9] = "cpu,host=a x=1e400 9"  # out of range: its error
    with pytest.raises(LineProtocolError) as info:
        parse("\n".join(lines))
    assert [(e.line, e.message) for e in info.value.errors] == [
        (10, 'invalid float "1e400" for field "x": value out of range')]
    assert sorted(exact_calls) == sorted([lines[5], lines[9]])
    (segment,), left = parse_uniform("\n".join(lines).encode(), 0, 1)
    assert left == [6, 10] and segment.height == 38


@pytest.mark.parametrize(("odd", "precision"), [
    ("cpu,host= x=1.5,n=1i,b=t 5", "ns"),  # a tag without a value
    ("cpu,host=a x=NaN,n=1i,b=t 5", "ns"),  # a float that is not a number
    ("cpu,host=a x=1.5,n=1,b=t 5", "ns"),  # an integer without its suffix
    ("cpu,host=a x=1.5,n=1.5i,b=t 5", "ns"),  # an integer that does not parse
    ("cpu,host=a x=1.5,n=1i,b=yes 5", "ns"),  # not a boolean
    ("cpu,host=a x=1.5,n=1i,b=t 1.5", "ns"),  # a timestamp that is not an integer
    ("cpu,host=a x=1.5,n=1i,b=t 99999999999999999999", "ns"),  # beyond int64
    ("cpu,host=a x=1.5,n=1i,b=t 9223372036854775807", "ns"),  # InfluxDB's sentinel
    ("cpu,host=a x=1.5,n=1i,b=t 9223372036854775", "ms"),  # out of range once scaled
])
def test_each_value_check_leaves_its_line_to_the_exact_parser(odd, precision):
    """A line with one value of each kind the uniform path checks column by column: it alone
    is left to the exact parser, and the outcome is the exact parser's."""
    lines = [f"cpu,host=h{i % 3} x={i}.5,n={i}i,b=f {i}" for i in range(20)]
    lines[5] = odd
    text = "\n".join(lines)
    factor = {"ns": 1, "ms": 1_000_000}[precision]
    found = parse_uniform(text.encode(), 0, factor)
    assert found is not None and found[1] == [6]
    assert _outcome(text, True, precision) == _outcome(text, False, precision)


@pytest.mark.parametrize("bent", [
    'cpu,host=a s="a b" 3',  # a space inside a string
    'cpu,host=a s="a=b" 3',  # an equals sign inside a string (valid, but not counted)
    'cpu,host=a=b s="x" 3',  # an equals sign in a tag value
    'cpu,host=a s="a"b" 3',  # a quote inside a string
    'cpu,host=a b s="x" 3',  # a space in a tag value
    'cpu,host="a" s="x" 3',  # quotes in a tag value (valid, but not counted)
    r'cpu,host=a\ b s="x" 3',  # an escape
    'cpu,host=a s="x" 3 ',  # a trailing space
    'cpu,host=a s="x",t=1 3',  # another field
    "",  # a blank line
    'cpu,host=a s="x" +3',  # a plus sign
    'cpu,host=a s="x" 3\r',  # a carriage return
])
def test_a_bent_separator_sends_the_whole_request_elsewhere(bent):
    lines = [f'cpu,host=a s="v{i}" {i}' for i in range(20)]
    lines[7] = bent
    text = "\n".join(lines)
    assert parse_uniform(text.encode(), 0, 1) is None
    assert _outcome(text, True, "ns") == _outcome(text, False, "ns")


def test_short_requests_take_the_general_path():
    text = "\n".join(f"cpu x={i}" for i in range(MIN_LINES - 1))
    assert parse_uniform(text.encode(), 0, 1) is None
    assert parse_uniform((text + "\ncpu x=1").encode(), 0, 1) is not None


@st.composite
def mixed_texts(draw) -> str:
    """Lines of two or three uniform texts (each its measurement's shape, or not), interleaved."""
    texts = [draw(uniform_texts()).split("\n") for _ in range(draw(st.integers(2, 3)))]
    lines: list[str] = []
    while any(texts):
        source = draw(st.sampled_from([t for t in texts if t]))
        lines.append(source.pop(0))
    return "\n".join(lines)


@settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
@given(mixed_texts(), st.sampled_from(sorted(PRECISIONS)))
def test_interleaved_measurements_give_what_the_exact_path_gives(text, precision):
    assert _outcome(text, True, precision) == _outcome(text, False, precision)


def test_interleaved_measurements_are_read_in_one_pass(exact_calls):
    """One shape per measurement: every line is read by the CSV split, each measurement's
    columns by its own shape (here the second is wider and first seen on line 3)."""
    lines = []
    for i in range(30):
        lines.append(f"cpu,host=h{i % 3} usage={i}.5,n={i}i {i}")
        if i % 2:
            lines.append(f'disk,host=h{i % 3},dev=sda,mnt=/ free={i}u,ok=t,s="v{i}" {i}')
        if i % 5 == 0:
            lines.append(f"mem free={i}i,used={i}.0 {i}")
    segments = _read_in_one_pass("\n".join(lines), exact_calls)
    assert sorted(s.measurement for s in segments) == ["cpu", "disk", "mem"]
    assert sum(s.height for s in segments) == len(lines)


def _read_in_one_pass(text: str, exact_calls: list[str]) -> list:
    """The segments the uniform path reads `text` into, every line read there (none left to
    the exact parser), and the same points as the exact parser's."""
    result = parse_uniform(text.encode(), 0, 1)
    assert result is not None
    segments, left = result
    assert left == []
    got = parse(text).to_points()
    assert exact_calls == []
    assert got == parse(text, vectorized=False).to_points()
    return segments


@pytest.mark.parametrize("measurements", [2, uniform._CHAIN_MAX, uniform._CHAIN_MAX + 3])
def test_lines_go_to_their_measurement_by_name_compared_or_looked_up(measurements, exact_calls):
    """Up to _CHAIN_MAX measurements with tags are told apart by comparing names, more by a
    lookup: either way each line is read by its own measurement's shape (and one without
    tags by its name and a space)."""
    lines = []
    for i in range(40):
        m = i % measurements
        lines.append(f"m{m},host=h{i} f{m}={i}.5 {i}")
        if i % 7 == 0:
            lines.append(f"bare value={i}i {i}")
    segments = _read_in_one_pass("\n".join(lines), exact_calls)
    assert sorted(s.measurement for s in segments) == sorted(
        [f"m{m}" for m in range(measurements)] + ["bare"])
    assert all(list(s.fields) == [f"f{s.measurement[1:]}"] for s in segments if s.tags)


@pytest.mark.parametrize("bent", [
    "disk,host=a,dev=b free=1u,extra=2u 3",  # a second shape of one measurement
    "disk,host=a free=1u 3",  # fewer tags
    'disk,host=a,dev=b free=1u,s="a,b" 3',  # a comma inside a string of the wider shape
    "disk,host=a,dev=b,x=1 free=1u 3",  # more tags
    "# a comment",
])
def test_a_measurement_off_its_shape_sends_the_whole_request_elsewhere(bent):
    lines = []
    for i in range(20):
        lines.append(f"cpu,host=h usage={i}.5 {i}")
        lines.append(f"disk,host=a,dev=b free={i}u 3")
    lines.insert(11, bent)
    text = "\n".join(lines)
    assert parse_uniform(text.encode(), 0, 1) is None
    assert _outcome(text, True, "ns") == _outcome(text, False, "ns")


@pytest.mark.parametrize("bent", [
    "disk,host=a free=1u 3",  # fewer tags: a column short
    'disk,host=a,dev=b free=1u,s="a,b" 3',  # a comma inside a string: a column more
    "disk,host=a,dev=b free=1u,extra=2u 3",  # another field
    "disk,host=a,dev=b,x=1 free=1u 3",  # more tags
    "cpu,host=h,dc=d usage=1.5 3,4",  # a comma after the timestamp
])
def test_shapes_of_one_width_prove_their_commas_by_the_strict_read(bent):
    """Two measurements whose lines split into as many columns: the strict CSV read (no line
    with more) and the shapes' checks of every column (none with fewer) stand for counting
    the commas; a line off its shape still sends the request elsewhere."""
    lines = []
    for i in range(20):
        lines.append(f"cpu,host=h,dc=d usage={i}.5 {i}")
        lines.append(f"disk,host=a,dev=b free={i}u 3")
    assert parse_uniform("\n".join(lines).encode(), 0, 1) is not None
    lines.insert(11, bent)
    text = "\n".join(lines)
    assert parse_uniform(text.encode(), 0, 1) is None
    assert _outcome(text, True, "ns") == _outcome(text, False, "ns")


def test_a_writers_next_request_is_split_by_the_shapes_its_last_one_held(monkeypatch):
    """The shapes of a request are kept by its first line's shape: the next request beginning
    so is split by them with no search for other measurements; one that holds another
    measurement, or lacks one, or bends a kept shape, is read as well (searched afresh)."""
    from storage.lineprotocol import uniform

    monkeypatch.setattr(uniform, "_RECENT", {})
    searched = []
    search = uniform._shapes
    monkeypatch.setattr(uniform, "_shapes", lambda *a: searched.append(1) or search(*a))

    def request(*extra: str) -> str:
        lines = []
        for i in range(20):
            lines.append(f"cpu,host=h{i % 3} usage={i}.5 {i}")
            lines += [e.format(i=i) for e in extra]
        return "\n".join(lines)

    disk = "disk,dev=sda free={i}u {i}"
    requests = [
        (request(disk), 1),  # shapes searched for
        (request(disk), 0),  # the same shapes: none
        (request(), 0),  # one of them missing
        (request(disk, "mem used={i}.0 {i}"), 1),  # a measurement more: searched
        (request("disk,dev=sda free={i}.5 {i}"), 1),  # disk's free now a float
    ]
    for text, searches in requests:
        searched.clear()
        result = parse_uniform(text.encode(), 0, 1)
        assert result is not None and result[1] == []
        assert PointBatch(result[0]).to_points() == \
            parse(text, vectorized=False).to_points()
        assert len(searched) == searches
