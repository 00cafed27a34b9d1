"""integral: trapezoids summed in order, repeated times skipped, interpolation to the bounds,
single points, empty tables, errors."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:01:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        f"m,host=a v=1 {T0}", f"m,host=a v=3 {T0 + 10 * S}", f"m,host=a v=3 {T0 + 30 * S}",
        f"k,host=b v=2i {T0 + 10 * S}", f'm,host=c s="x" {T0}'])


def test_trapezoids_per_unit(engine):
    result = both(engine, RANGE + ' |> filter(fn: (r) => r._field == "v") |> integral()')
    assert [r[2] for r in result] == [[0.0], [80.0]]
    assert result[0][1] == ["_start", "_stop", "_field", "_measurement", "host", "_value"]
    result = both(engine, RANGE + ' |> filter(fn: (r) => r.host == "a") |> integral(unit: 1m)')
    assert result[0][2] == [80.0 / 60.0]


def test_linear_interpolation_to_the_bounds(engine):
    q = RANGE + ' |> filter(fn: (r) => r._field == "v") |> integral(interpolate: "linear")'
    # k (b): 2 over the minute; m (a): 80 plus [30s, 60s) at 3 (slope 0 at the end)
    assert [r[2] for r in both(engine, q)] == [[120.0], [170.0]]


def test_empty_tables_give_zero(engine):
    q = RANGE + ' |> filter(fn: (r) => r._value == 100, onEmpty: "keep") |> integral()'
    assert [r[2] for r in both(engine, q.replace("|> filter", '|> filter(fn: (r) => r._field'
                                                 ' == "v") |> filter'))] == [[0.0], [0.0]]


def test_errors(engine):
    with pytest.raises(FluxRuntimeError, match="cannot perform integral over string"):
        engine.query(RANGE + ' |> filter(fn: (r) => r._field == "s") |> integral()')
    with pytest.raises(FluxRuntimeError, match='column "nope" does not exist'):
        engine.query(RANGE + ' |> integral(column: "nope")')
    with pytest.raises(FluxRuntimeError, match="needs _stop column"):
        engine.query(RANGE + ' |> drop(columns: ["_stop"]) |> integral()')
