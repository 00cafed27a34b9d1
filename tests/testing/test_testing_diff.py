"""`testing.diff` and `experimental.diff`: upstream's `_diff` tables, yielded as errorOutput."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError

HEAD = 'import "array"\nimport "testing"\nimport "experimental"\n'


def rows(*values: float, t0: int = 0) -> str:
    """array.from rows of one series: _time at t0, t0+1m... with these _value."""
    items = ", ".join(f'{{_measurement: "m0", _field: "f0", _time: {_time(t0 + i)}, _value: {v}}}'
                      for i, v in enumerate(values))
    return f'array.from(rows: [{items}]) |> group(columns: ["_measurement", "_field"])'


def series(*points: tuple[int, float]) -> str:
    """array.from rows of one series: (minute, _value) pairs."""
    items = ", ".join(f'{{_measurement: "m0", _field: "f0", _time: {_time(m)}, _value: {v}}}'
                      for m, v in points)
    return f'array.from(rows: [{items}]) |> group(columns: ["_measurement", "_field"])'


def _time(minute: int) -> str:
    return f"2022-07-12T00:{minute:02d}:00Z"


def test_equal_streams_give_no_tables(engine):
    out = engine.query(HEAD + f"testing.diff(got: {rows(1.0, 2.0)}, want: {rows(1.0, 2.0)})")
    assert out == {"errorOutput": []}


def test_failing_case_has_upstreams_shape(engine):
    """As upstream's diff_test.flux `partial_match`: `_diff` first, then the key columns, then
    the others; common rows "", want's own "-", got's own "+", in the traceback's order; the
    result is errorOutput and the group key is the input's."""
    want = series((0, 2.0), (1, 3.0), (2, 4.0), (3, 5.0), (4, 6.0), (5, 7.0), (7, 9.0))
    got = series((0, 2.0), (3, 5.0), (4, 6.0), (5, 7.0), (6, 8.0), (7, 10.0))
    csv = engine.query_csv(HEAD + f"testing.diff(got: {got}, want: {want})")
    assert csv.replace("\r\n", "\n") == """\
#datatype,string,long,string,string,string,dateTime:RFC3339,double
#group,false,false,false,true,true,false,false
#default,errorOutput,,,,,,
,result,table,_diff,_measurement,_field,_time,_value
,,0,,m0,f0,2022-07-12T00:00:00Z,2
,,0,-,m0,f0,2022-07-12T00:01:00Z,3
,,0,-,m0,f0,2022-07-12T00:02:00Z,4
,,0,,m0,f0,2022-07-12T00:03:00Z,5
,,0,,m0,f0,2022-07-12T00:04:00Z,6
,,0,,m0,f0,2022-07-12T00:05:00Z,7
,,0,-,m0,f0,2022-07-12T00:07:00Z,9
,,0,+,m0,f0,2022-07-12T00:06:00Z,8
,,0,+,m0,f0,2022-07-12T00:07:00Z,10

"""


def test_one_changed_value_is_a_minus_and_a_plus_row(engine):
    """upstream's `mismatch`: the want row, then the got row."""
    [table] = engine.query(HEAD + f"experimental.diff(got: {rows(3.0)}, want: {rows(2.0)})"
                           )["_result"]
    assert table.key == ("_measurement", "_field")
    assert table.frame.columns == ["_diff", "_measurement", "_field", "_time", "_value"]
    assert table.frame["_diff"].to_list() == ["-", "+"]
    assert table.frame["_value"].to_list() == [2.0, 3.0]


def test_a_key_only_one_side_has_is_all_minus_or_plus(engine):
    other = rows(5.0).replace('"f0"', '"f1"')
    out = engine.query(HEAD + f"testing.diff(got: {other}, want: {rows(1.0, 2.0)})")
    tables = {t.key_values: t.frame["_diff"].to_list() for t in out["errorOutput"]}
    assert tables == {("m0", "f0"): ["-", "-"], ("m0", "f1"): ["+"]}


def test_an_empty_table_and_no_table_are_alike(engine):
    empty = rows(1.0) + " |> filter(fn: (r) => false)"
    assert engine.query(HEAD + f"testing.diff(got: {empty}, want: {empty} |> group())"
                        ) == {"errorOutput": []}


@pytest.mark.parametrize(("got", "want", "extra", "equal"), [
    ("1.0000001", "1.0", "", True),            # within the default epsilon 1e-6
    ("1.01", "1.0", "", False),
    ("1.01", "1.0", ", epsilon: 0.1", True),
    ("float(v: \"NaN\")", "float(v: \"NaN\")", "", True),  # NaN equals NaN, as upstream
    ("float(v: \"+Inf\")", "float(v: \"+Inf\")", "", True),
])
def test_float_comparison(engine, got, want, extra, equal):
    query = HEAD + (f"testing.diff(got: array.from(rows: [{{v: {got}}}]), "
                    f"want: array.from(rows: [{{v: {want}}}]){extra})")
    assert (engine.query(query)["errorOutput"] == []) is equal


def test_a_column_one_side_lacks_equals_null(engine):
    query = HEAD + ('testing.diff(got: array.from(rows: [{a: 1, b: 2}]) '
                    '|> map(fn: (r) => ({r with c: if false then "x" else r.d})), '
                    'want: array.from(rows: [{a: 1, b: 2}]))')
    assert engine.query(query)["errorOutput"] == []
    query = HEAD + ('testing.diff(got: array.from(rows: [{a: 1, b: 2}]), '
                    'want: array.from(rows: [{a: 1}]))')
    [table] = engine.query(query)["errorOutput"]
    assert table.frame.columns == ["_diff", "a", "b"]
    assert table.frame.rows() == [("-", 1, None), ("+", 1, 2)]


def test_different_column_types_are_an_error(engine):
    query = HEAD + ('testing.diff(got: array.from(rows: [{v: 1}]), '
                    'want: array.from(rows: [{v: 1.0}]))')
    with pytest.raises(FluxRuntimeError, match='diff: column "v" has different types '
                                               'float != int'):
        engine.query(query)


def test_takes_upstreams_parameters(engine):
    query = HEAD + ('array.from(rows: [{v: 1}]) |> testing.diff(want: array.from(rows: [{v: 1}]),'
                    ' verbose: true, epsilon: 0.5, nansEqual: true)')
    assert engine.query(query) == {"errorOutput": []}
    with pytest.raises(FluxRuntimeError, match="epsilon must be a float"):
        engine.query(HEAD + 'testing.diff(got: array.from(rows: [{v: 1}]), '
                     'want: array.from(rows: [{v: 1}]), epsilon: "x")')
