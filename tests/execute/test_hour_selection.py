"""hourSelection: rows whose local hour is in [start, stop], wrapping past midnight."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
H = 3_600_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"h v={hour} {T0 + hour * H}" for hour in (0, 5, 9, 13, 23)])


def values(engine, args: str) -> list:
    result = both(engine, RANGE + f" |> hourSelection({args})")
    return result[0][2] if result else []


def test_inclusive_range(engine):
    assert values(engine, "start: 5, stop: 13") == [5.0, 9.0, 13.0]


def test_wraps_past_midnight(engine):
    assert values(engine, "start: 22, stop: 5") == [0.0, 5.0, 23.0]


def test_named_zone_and_offset(engine):
    # New York is UTC-5 in January: 13Z is 8 there
    assert values(engine, 'start: 8, stop: 8, location: {zone: "America/New_York", '
                          'offset: 0h}') == [13.0]
    assert values(engine, 'start: 1, stop: 1, location: {zone: "UTC", offset: 2h}') == [23.0]


def test_location_option(engine):
    flux = 'option location = {zone: "UTC", offset: -1h}\n' + RANGE + \
        " |> hourSelection(start: 23, stop: 23)"
    assert both(engine, flux)[0][2] == [0.0]


def test_no_row_leaves_an_empty_table(engine):
    result = engine.query(RANGE + " |> hourSelection(start: 1, stop: 2)")["_result"]
    assert [t.frame.height for t in result] == [0]


def test_hours_out_of_range(engine):
    with pytest.raises(FluxRuntimeError, match="start must be between 0 and 23"):
        engine.query(RANGE + " |> hourSelection(start: -1, stop: 2)")
    with pytest.raises(FluxRuntimeError, match="stop must be between 0 and 23"):
        engine.query(RANGE + " |> hourSelection(start: 1, stop: 24)")


def test_unknown_zone(engine):
    with pytest.raises(FluxRuntimeError, match="invalid location"):
        engine.query(RANGE + ' |> hourSelection(start: 1, stop: 2, location: {zone: "Nowhere/X",'
                             ' offset: 0h})')
