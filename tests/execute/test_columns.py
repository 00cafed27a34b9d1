"""columns: each table's labels in column order, key columns kept, tables without rows too."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"cpu,host=a usage=1 {T0}", f"cpu,host=b usage=2 {T0}"])


def test_one_row_per_column_of_each_table(engine):
    result = both(engine, RANGE + " |> columns()")
    assert [r[0]["host"] for r in result] == ["a", "b"]
    assert result[0][1] == ["_start", "_stop", "_field", "_measurement", "host", "_value"]
    assert result[0][2] == ["_start", "_stop", "_time", "_value", "_field", "_measurement", "host"]


def test_a_table_without_rows_still_lists_its_columns(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._value > 5.0, onEmpty: "keep") |> columns(column: "c")'
    assert [len(r[2]) for r in both(engine, flux, "c")] == [7, 7]


def test_a_table_without_a_key(engine):
    flux = RANGE + ' |> keep(columns: ["_value", "host"]) |> group() |> columns(column: "c")'
    assert both(engine, flux, "c") == [({}, ["c"], ["_value", "host"])]


def test_the_column_may_not_be_a_key_column(engine):
    with pytest.raises(FluxRuntimeError, match="already has column with label host"):
        engine.query(RANGE + ' |> columns(column: "host")')
