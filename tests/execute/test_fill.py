"""fill: nulls replaced by a value of the column's type or by the previous non-null value of
the same table; a missing column appended; a null key value filled (tables merge)."""

from __future__ import annotations

import pytest
from helpers import agree, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
MIN = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:05:00Z)'
# means per minute: host a [1, null, 3, null, null], host b [null, 2, null, null, 5]
MEANS = (RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
         " |> aggregateWindow(every: 1m, fn: mean)")


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a usage=1 {T0}", f"cpu,host=a usage=3 {T0 + 2 * MIN}",
        f"cpu,host=b usage=2 {T0 + MIN}", f"cpu,host=b usage=5 {T0 + 4 * MIN}",
        f"mem,host=a used=7i {T0}", f"mem used=8i {T0 + MIN}",
    ])


def values(engine, flux, column="_value"):
    """(host or None, columns, values of `column`) per table, rules on and off alike."""
    return agree(engine, flux, lambda t: (t.key_record().get("host"), t.frame.columns,
                                          t.frame[column].to_list()))


def test_value_replaces_nulls(engine):
    result = values(engine, MEANS + " |> fill(value: -1.0)")
    assert [v for _, _, v in result] == [[1.0, -1.0, 3.0, -1.0, -1.0],
                                         [-1.0, 2.0, -1.0, -1.0, 5.0]]


def test_use_previous_stays_within_each_table(engine):
    result = values(engine, MEANS + " |> fill(usePrevious: true)")
    assert [v for _, _, v in result] == [[1.0, 1.0, 3.0, 3.0, 3.0],
                                         [None, 2.0, 2.0, 2.0, 5.0]]


def test_a_missing_column_is_appended_with_the_value(engine):
    result = values(engine, RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
                                    ' |> fill(column: "unit", value: "pct")', "unit")
    assert [(cols[-1], v) for _, cols, v in result] == [("unit", ["pct", "pct"])] * 2


def test_use_previous_leaves_a_missing_column_alone(engine):
    result = values(engine, RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
                                    ' |> fill(column: "unit", usePrevious: true)')
    assert all("unit" not in cols for _, cols, _ in result)


def test_a_null_key_value_is_filled_and_the_tables_merge(engine):
    engine.create_bucket("m")
    engine.write("m", f"mem,host=a used=7i {T0}\nmem used=8i {T0 + MIN}\n")
    flux = RANGE.replace('"b"', '"m"') + (' |> set(key: "s", value: "x") |> group()'
                                          ' |> group(columns: ["host"])')
    assert [h for h, _, _ in values(engine, flux)] == [None, "a"]
    result = values(engine, flux + ' |> fill(column: "host", value: "a")')
    assert [(h, v) for h, _, v in result] == [("a", [8, 7])]


def test_a_key_column_without_nulls_is_not_type_checked(engine):
    result = values(engine, RANGE + ' |> fill(column: "host", value: 1)')
    assert len(result) == 4


def test_value_of_other_types(engine):
    mem = RANGE + ' |> filter(fn: (r) => r._measurement == "mem")'
    assert sorted(v for _, _, (v,) in values(engine, mem + " |> fill(value: 0)")) == [7, 8]
    result = values(engine, mem + ' |> fill(column: "_time", value: 2024-01-01T00:00:00Z)')
    assert len(result) == 2


@pytest.mark.parametrize("call, message", [
    ("fill(value: 0)", "fill column type mismatch: float/int"),
    ('fill(value: "x")', "fill column type mismatch: float/string"),
    ("fill(value: 0.0, usePrevious: true)", "exactly one of value or usePrevious"),
    ("fill()", "exactly one of value or usePrevious"),
    ("fill(value: 1s)", "value type for fill must be a valid primitive type"),
    ("fill(usePrevious: false)", "needs a value"),
    ("fill(column: 1, value: 0.0)", "column must be a string"),
])
def test_errors(engine, call, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(MEANS + " |> " + call)
