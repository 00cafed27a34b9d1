"""array.from as a table source (columns in record order, types, nulls, errors) and the
array helpers concat, map and filter."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError


def table(engine, rows: str):
    (only,) = engine.query(f'import "array"\narray.from(rows: {rows})')["_result"]
    return only


def test_columns_follow_the_first_record_and_keep_types(engine):
    t = table(engine, '[{_time: 2024-01-01T00:00:00Z, b: 1, a: "x", u: uint(v: 3), f: 1.5, '
                      'ok: true}]')
    assert t.key == () and t.frame.columns == ["_time", "b", "a", "u", "f", "ok"]
    assert [str(d) for d in t.frame.dtypes] == ["Datetime(time_unit='ns', time_zone='UTC')",
                                                "Int64", "String", "UInt64", "Float64",
                                                "Boolean"]


def test_a_property_some_records_lack_is_null_there(engine):
    t = table(engine, '[{a: 1, b: "x"}, {a: 2}]')
    assert t.frame.rows() == [(1, "x"), (2, None)]


def test_array_from_takes_piped_rows_and_feeds_transformations(engine):
    flux = ('import "array"\n[{k: "a", v: 1}, {k: "b", v: 2}, {k: "a", v: 3}] |> array.from()'
            ' |> group(columns: ["k"]) |> sum(column: "v")')
    result = engine.query(flux)["_result"]
    assert [(t.key_record()["k"], t.frame["v"].to_list()) for t in result] == [("a", [4]),
                                                                               ("b", [2])]


@pytest.mark.parametrize("rows, message", [
    ("[]", "rows must be non-empty"),
    ("[1, 2]", "rows must be an array of records"),
    ("[{d: 1h}]", "cannot represent the type duration as column data"),
    ('[{a: 1}, {a: "x"}]', "values of several types"),
])
def test_errors(engine, rows, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(f'import "array"\narray.from(rows: {rows})')


def test_concat_map_filter(engine):
    t = table(engine, '[1, 2, 3] |> array.concat(v: [4, 5, 6]) |> array.filter(fn: (x) => x > 2)'
                      ' |> array.map(fn: (x) => ({_value: float(v: x) / 2.0}))')
    assert t.frame["_value"].to_list() == [1.5, 2.0, 2.5, 3.0]
    with pytest.raises(FluxRuntimeError, match="different types"):
        table(engine, '[1] |> array.concat(v: ["a"]) |> array.map(fn: (x) => ({v: 1}))')
    with pytest.raises(FluxRuntimeError, match="fn must return a bool"):
        table(engine, '[1] |> array.filter(fn: (x) => 1) |> array.map(fn: (x) => ({v: x}))')
