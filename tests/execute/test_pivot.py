"""pivot: fields into columns, first-appearance orders, merges of tables, labels, errors."""

from __future__ import annotations

import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.stdlib.universe.pivot import go_float_e

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
BY_FIELD = ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f'cpu,host=a usage=1,state="ok" {T0}',
        f"cpu,host=a usage=2 {T0 + S}",
        f'cpu,host=a state="bad" {T0 + 2 * S}',
        f"cpu,host=b usage=3,n=7i {T0}",
        f"mem,host=a used=4 {T0}",
    ])


def run(engine, flux):
    """(key record, columns, rows) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key_record(), t.frame.columns, t.frame.rows()))


def test_fields_become_columns(engine):
    result = run(engine, RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")' + BY_FIELD)
    (a_key, a_cols, a_rows), (b_key, b_cols, b_rows) = result
    assert a_key["host"] == "a" and set(a_key) == {"_start", "_stop", "_measurement", "host"}
    # _field order in the key: state < usage, so state's table arrives first
    assert a_cols == ["_start", "_stop", "_time", "_measurement", "host", "state", "usage"]
    # rows in order of first appearance: the state table's times, then usage's new one
    assert [r[5:] for r in a_rows] == [("ok", 1.0), ("bad", None), (None, 2.0)]
    assert b_cols[-2:] == ["n", "usage"]
    assert [r[5:] for r in b_rows] == [(7, 3.0)]


def test_column_key_of_two_columns(engine):
    result = run(engine, RANGE + ' |> filter(fn: (r) => r.host == "a")'
                 ' |> pivot(rowKey: ["_time"], columnKey: ["_measurement", "_field"],'
                 ' valueColumn: "_value")')
    ((key, cols, rows),) = result
    assert cols == ["_start", "_stop", "_time", "host", "cpu_state", "cpu_usage", "mem_used"]
    assert [r[4:] for r in rows] == [("ok", 1.0, 4.0), ("bad", None, None), (None, 2.0, None)]


def test_repeated_cell_keeps_the_last_value(engine):
    result = run(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage")'
                 ' |> pivot(rowKey: ["_measurement"], columnKey: ["host"], valueColumn: "_value")')
    ((key, cols, rows),) = result
    assert cols == ["_start", "_stop", "_field", "_measurement", "a", "b"]
    assert rows[0][-2:] == (2.0, 3.0)


def test_labels_of_other_types(engine):
    result = run(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage")'
                 ' |> pivot(rowKey: ["host"], columnKey: ["_value"], valueColumn: "_time")')
    assert result[0][1][-2:] == ["1E+00", "2E+00"]
    result = run(engine, RANGE + ' |> filter(fn: (r) => r._field == "usage" and r.host == "b")'
                 ' |> pivot(rowKey: ["host"], columnKey: ["_time"], valueColumn: "_value")')
    assert result[0][1][-1] == "2024-01-01T00:00:00.000000000Z"


def test_go_float_format():
    assert [go_float_e(x) for x in (1.5, 100.0, 0.001, -2.0, 0.0, 12345.678, 1e21,
                                    float("nan"))] == [
        "1.5E+00", "1E+02", "1E-03", "-2E+00", "0E+00", "1.2345678E+04", "1E+21", "NaN"]


def test_empty_tables(engine):
    result = run(engine, RANGE + ' |> filter(fn: (r) => r._field == "none", onEmpty: "keep")'
                 + BY_FIELD)
    assert [(k["_measurement"], k["host"], c, r) for k, c, r in result] == [
        ("cpu", "a", ["_start", "_stop", "_time", "_measurement", "host"], []),
        ("cpu", "b", ["_start", "_stop", "_time", "_measurement", "host"], []),
        ("mem", "a", ["_start", "_stop", "_time", "_measurement", "host"], [])]


def test_missing_columns_are_errors(engine):
    with pytest.raises(FluxRuntimeError, match="pivot: specified row key column does not exist"
                                               " in table: nope"):
        engine.query(RANGE + ' |> pivot(rowKey: ["nope"], columnKey: ["_field"],'
                     ' valueColumn: "_value")')
    with pytest.raises(FluxRuntimeError, match="specified column does not exist in table: x"):
        engine.query(RANGE + ' |> pivot(rowKey: ["_time"], columnKey: ["x"],'
                     ' valueColumn: "_value")')
    with pytest.raises(FluxRuntimeError, match="specified value column does not exist"):
        engine.query(RANGE + ' |> pivot(rowKey: ["_time"], columnKey: ["_field"],'
                     ' valueColumn: "v")')


def test_label_clashing_with_a_column(engine):
    with pytest.raises(FluxRuntimeError, match='value "host" appears in a column key column'):
        engine.query(RANGE + ' |> set(key: "f", value: "host")'
                     ' |> pivot(rowKey: ["_time"], columnKey: ["f"], valueColumn: "_value")')


def test_row_and_column_key_overlap(engine):
    with pytest.raises(FluxRuntimeError, match="column name found in both rowKey and colKey: a"):
        engine.query(RANGE + ' |> pivot(rowKey: ["a"], columnKey: ["a"], valueColumn: "v")')
