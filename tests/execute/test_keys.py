"""keys: each table's key labels in key order; a table without a key gives no rows."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"cpu,host=a usage=1 {T0}", f"cpu,host=b usage=2 {T0}"])


def test_one_row_per_key_column(engine):
    result = both(engine, RANGE + ' |> drop(columns: ["_start", "_stop"]) |> keys()')
    assert result == [({"_field": "usage", "_measurement": "cpu", "host": h},
                       ["_field", "_measurement", "host", "_value"],
                       ["_field", "_measurement", "host"]) for h in ("a", "b")]


def test_no_key_gives_a_table_without_rows(engine):
    flux = RANGE + ' |> keep(columns: ["_value"]) |> group() |> keys(column: "k")'
    assert both(engine, flux, "k") == [({}, ["k"], [])]
