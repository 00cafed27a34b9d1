"""unique: the first row of each distinct value, per table, null one value."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"m,t=a v=1i,w=1i {T0}", f"m,t=a v=2i {T0 + S}", f"m,t=a v=1i {T0 + 2 * S}",
        f"m,t=a v=3i,w=1i {T0 + 3 * S}", f"m,t=a v=4i {T0 + 4 * S}", f"m,t=b v=7i {T0}",
    ])


def test_first_rows_of_each_value(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "v") |> unique()')
    assert [r[2] for r in result] == [[1, 2, 3, 4], [7]]
    times = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "v") |> unique()', "_time")
    assert len(set(times[0][2])) == 4


def test_null_is_one_value(engine):
    flux = RANGE + ' |> filter(fn: (r) => r.t == "a")' \
        ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")' \
        ' |> sort(columns: ["_time"]) |> unique(column: "w")'
    assert both(engine, flux, "v")[0][2] == [1, 2]


def test_key_column_keeps_one_row(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "v") |> unique(column: "t")')
    assert [r[2] for r in result] == [[1], [7]]


def test_missing_column(engine):
    with pytest.raises(FluxRuntimeError, match='no column "nope" exists'):
        engine.query(RANGE + ' |> unique(column: "nope")')
