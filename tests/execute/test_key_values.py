"""keyValues: distinct (label, value) pairs row by row, nulls once per table; errors."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
M = 60_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"cpu,host=a,dc=x usage=1 {T0}",
        f"cpu,host=b,dc=x usage=2 {T0 + M}",
        f"cpu,host=a usage=3 {T0 + 2 * M}",
        f"cpu,host=c usage=4 {T0 + 3 * M}",
        f"cpu,dc=y usage=5 {T0 + 4 * M}",
    ])


def test_pairs_in_row_then_column_order_nulls_once(engine):
    flux = (RANGE + ' |> drop(columns: ["_start", "_stop"]) |> group() |> sort(columns: ["_time"]) '
            '|> keyValues(keyColumns: ["host", "dc"])')
    (table,) = both(engine, flux)
    assert table[1] == ["_key", "_value"]
    assert table[2] == ["a", "x", "b", None, "c", "y"]
    labels = both(engine, flux, "_key")[0][2]
    assert labels == ["host", "dc", "host", "dc", "host", "dc"]


def test_per_table_with_the_key(engine):
    flux = RANGE + ' |> group(columns: ["host"]) |> keyValues(keyColumns: ["_value"])'
    result = both(engine, flux)
    assert [(r[0].get("host"), r[2]) for r in result] == [
        (None, [5.0]), ("a", [1.0, 3.0]), ("b", [2.0]), ("c", [4.0])]


def test_columns_of_two_types_are_an_error(engine):
    with pytest.raises(FluxRuntimeError, match="keyColumns must all be the same type"):
        engine.query(RANGE + ' |> keyValues(keyColumns: ["host", "_value"])')


def test_keycolumns_is_required(engine):
    with pytest.raises(FluxRuntimeError, match="neither column list nor predicate function"):
        engine.query(RANGE + " |> keyValues()")
