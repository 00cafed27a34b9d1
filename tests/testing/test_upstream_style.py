"""Test files in the style of upstream's stdlib tests run unchanged: label literals, typed nulls
(`debug.null(type:)`), the `schema._from` option, `experimental/array`, `internal/influxql`,
pivot over tables whose columns come in another order, and join.tables of exclusive keys."""

from __future__ import annotations

from tsengine.testing import PASS, run


def verdicts(path) -> dict[str, tuple[str, str]]:
    return {r.name: (r.status, r.message) for r in run([path], jobs=1).results}


def all_pass(flux_file, text: str) -> None:
    results = verdicts(flux_file(text))
    assert results and all(status == PASS for status, _ in results.values()), results


def test_label_literals_are_their_names_as_strings(flux_file):
    all_pass(flux_file, '''
import "testing"

testcase plain {
    testing.assertEqualValues(got: string(v: .host), want: "host")
}

testcase quoted {
    testing.assertEqualValues(got: ."a label", want: "a label")
}

testcase as_an_argument {
    testing.assertEqualValues(got: {a: 1, b: 2}[.b], want: 2)
}
''')


def test_typed_nulls_give_their_column_type(flux_file):
    all_pass(flux_file, '''
import "array"
import "internal/debug"
import "testing"

testcase array_from_takes_the_null_type {
    got = array.from(rows: [{x: 1, n: debug.null(type: "float")}])
        |> map(fn: (r) => ({r with y: r.n + 0.5}))
    want = array.from(rows: [{x: 1, n: debug.null(type: "float"), y: debug.null(type: "float")}])
    testing.diff(want: want, got: got)
}

testcase vectorized_logic_over_a_typed_null {
    got = array.from(rows: [{n: debug.null(type: "bool")}])
        |> map(fn: (r) => ({a: r.n or true, b: r.n and false, c: r.n or false}))
    want = array.from(rows: [{a: true, b: false, c: debug.null(type: "bool")}])
    testing.diff(want: want, got: got)
}

testcase a_records_typed_null_keeps_its_type {
    rec = {n: debug.null(type: "int"), t: true}
    got = array.from(rows: [{m: rec.n, sum: rec.n + 1, both: rec.t and rec.n}])
        |> map(fn: (r) => ({m: r.m + 1, sum: r.sum - 1, both: not r.both}))
    want = array.from(rows: [{m: debug.null(type: "int"), sum: debug.null(type: "int"),
                              both: debug.null(type: "bool")}])
    testing.diff(want: want, got: got)
}

testcase row_by_row_map_keeps_typed_null_columns {
    got = array.from(rows: [{x: 1}])
        |> map(fn: (r) => ({r with n: debug.null(type: "uint"), one: (() => 1)(), gone: r.nope}))
        |> map(fn: (r) => ({r with n: r.n + uint(v: 1)}))
    want = array.from(rows: [{n: debug.null(type: "uint"), one: 1, x: 1}])
    testing.diff(want: want, got: got)
}
''')


def test_typed_and_untyped_nulls_of_two_types_in_a_column_is_an_error(flux_file):
    results = verdicts(flux_file('''
import "array"
import "internal/debug"

testcase clash {
    array.from(rows: [{a: 1.0}, {a: debug.null(type: "string")}])
}
'''))
    status, message = results["clash"]
    assert status != PASS and "several types" in message


def test_the_schema_source_is_an_option(flux_file):
    all_pass(flux_file, '''
import "array"
import "influxdata/influxdb/schema"
import "testing"

option schema._from = (bucket) =>
    array.from(rows: [
        {_time: 2024-01-01T00:00:00Z, _measurement: "m", _field: "f", host: "b", _value: 1},
        {_time: 2024-01-01T00:00:00Z, _measurement: "m", _field: "f", host: "a", _value: 2},
    ])
        |> group(columns: ["_measurement", "_field", "host"])

testcase tag_values {
    got = schema.tagValues(bucket: "ignored", tag: "host", start: 2023-01-01T00:00:00Z,
                           stop: 2025-01-01T00:00:00Z)
    want = array.from(rows: [{_value: "a"}, {_value: "b"}])
    testing.diff(want: want, got: got)
}
''')


def test_experimental_array_and_influxql_bounds(flux_file):
    all_pass(flux_file, '''
import "experimental/array"
import "internal/influxql"
import "testing"

testcase conversions {
    got = array.from(rows: [-2.5, 3.9] |> array.toUInt() |> array.map(fn: (x) => ({v: x})))
    want = array.from(rows: [{v: uint(v: -2)}, {v: uint(v: 3)}])
    testing.diff(want: want, got: got)
}

testcase bounds {
    testing.assertEqualValues(
        got: "${int(v: influxql.minTime)} ${int(v: influxql.epoch)} ${int(v: influxql.maxTime)}",
        want: "-9223372036854775806 0 9223372036854775806",
    )
}
''')


def test_negative_floats_convert_to_uint_as_go_does(flux_file):
    all_pass(flux_file, '''
import "array"
import "testing"

testcase scalar {
    testing.assertEqualValues(got: uint(v: -1.5), want: uint(v: 0) - uint(v: 1))
}

testcase column {
    got = array.from(rows: [{_value: -1.5}, {_value: 2.5}]) |> toUInt()
    want = array.from(rows: [{_value: uint(v: -1)}, {_value: uint(v: 2)}])
    testing.diff(want: want, got: got)
}
''')


def test_pivot_joins_tables_whose_columns_come_in_another_order(flux_file):
    all_pass(flux_file, '''
import "array"
import "testing"

testcase pivot_mixed_order {
    a = array.from(rows: [{_time: 2024-01-01T00:00:00Z, _field: "f0", t: "x", _value: 1.0}])
        |> group(columns: ["_field", "t"])
    b = array.from(rows: [{t: "x", _value: 2.0, _field: "f1", _time: 2024-01-01T00:00:00Z}])
        |> group(columns: ["_field", "t"])
    got = union(tables: [a, b])
        |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    want = array.from(rows: [{_time: 2024-01-01T00:00:00Z, t: "x", f0: 1.0, f1: 2.0}])
        |> group(columns: ["t"])
    testing.diff(want: want, got: got)
}
''')


def test_full_join_of_tables_with_exclusive_group_keys(flux_file):
    all_pass(flux_file, '''
import "array"
import "internal/debug"
import "join"
import "testing"

testcase exclusive_keys {
    left = array.from(rows: [{_time: 2024-01-01T00:00:00Z, id: "a", k: 1, g: "one", v: 1}])
        |> group(columns: ["k", "g"])
    right = array.from(rows: [{_time: 2024-01-01T00:00:00Z, id: "a", k: 2, w: 0.5}])
        |> group(columns: ["k"])
    got = join.full(left: left, right: right, on: (l, r) => l.id == r.id,
                    as: (l, r) => ({id: if exists l.id then l.id else r.id, k: r.k, g: l.g,
                                    v: l.v, w: r.w}))
        |> group()
        |> sort(columns: ["k"])
    want = array.from(rows: [
        {g: "one", id: "a", k: 1, v: 1, w: debug.null(type: "float")},
        {g: debug.null(type: "string"), id: "a", k: 2, v: debug.null(type: "int"), w: 0.5},
    ])
    testing.diff(want: want, got: got)
}
''')
