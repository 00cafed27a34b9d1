"""histogramQuantile: the quantile of the cumulative histogram each table holds."""

from __future__ import annotations

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
PIVOT = ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'


def histogram(tag: str, counts: list[float], bounds: list[float]) -> list[str]:
    return [f"hq,b={tag} c={c},u={u} {T0 + i * S}"
            for i, (c, u) in enumerate(zip(counts, bounds, strict=True))]


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        *histogram("up", [1, 3, 4, 5], [1, 2, 5, 10]),
        *histogram("down", [2, 1, 4], [1, 2, 3]),
        *histogram("zero", [0, 0], [1, 2]),
        *histogram("unsorted", [4, 2, 8], [10, 5, 20]),
    ])


def quantiles(engine, tag: str, args: str) -> list:
    flux = RANGE + f' |> filter(fn: (r) => r.b == "{tag}")' + PIVOT + \
        f' |> histogramQuantile(countColumn: "c", upperBoundColumn: "u", {args})'
    return [r[2] for r in both(engine, flux)]


def test_interpolates_inside_the_bin(engine):
    assert quantiles(engine, "up", "quantile: 0.5") == [[1.75]]
    assert quantiles(engine, "up", "quantile: 1.0") == [[10.0]]


def test_first_bin_starts_at_min_value(engine):
    assert quantiles(engine, "unsorted", "quantile: 0.125, minValue: -10.0") == [[-2.5]]
    assert quantiles(engine, "unsorted", "quantile: 0.25") == [[5.0]]


def test_no_counts_give_null(engine):
    assert quantiles(engine, "zero", "quantile: 0.5") == [[None]]


def test_non_monotonic_modes(engine):
    with pytest.raises(FluxRuntimeError, match="histogram records counts are not monotonic"):
        quantiles(engine, "down", "quantile: 0.5")
    assert quantiles(engine, "down", 'quantile: 0.5, onNonmonotonic: "force"') == [[2.0]]
    assert quantiles(engine, "down", 'quantile: 0.5, onNonmonotonic: "drop"') == [[]]


def test_output_columns(engine):
    flux = RANGE + ' |> filter(fn: (r) => r.b == "up")' + PIVOT + \
        ' |> histogramQuantile(quantile: 0.5, countColumn: "c", upperBoundColumn: "u",' \
        ' valueColumn: "q")'
    (table,) = both(engine, flux, "q")
    assert table[1] == ["_start", "_stop", "_measurement", "b", "q"]


def test_bad_mode(engine):
    with pytest.raises(FluxRuntimeError, match="onNonmonotonic is invalid"):
        engine.query(RANGE + ' |> histogramQuantile(quantile: 0.5, onNonmonotonic: "x")')


def test_count_column_must_be_float(engine):
    with pytest.raises(FluxRuntimeError, match='table is missing count column "n"'):
        engine.query(RANGE + PIVOT + ' |> histogramQuantile(quantile: 0.5, countColumn: "n")')
