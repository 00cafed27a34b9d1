"""histogram (cumulative counts per bin), linearBins and logarithmicBins."""

from __future__ import annotations

import math

import pytest
from helpers import both, write_bucket

import tsengine.stdlib  # noqa: F401  (registers the builtins)
from tsengine.errors import FluxRuntimeError
from tsengine.flux.interpreter import Interpreter

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    values = [0.5, 1.5, 2.0, 2.5, 9.0]
    return write_bucket(engine, [f"h,t=a v={v} {T0 + i * S}" for i, v in enumerate(values)]
                        + [f"h,t=b v=3 {T0}", f"i,t=c v=1i {T0}"])


def test_cumulative_counts_per_bin(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._measurement == "h")' \
        " |> histogram(bins: [10.0, 1.0, 2.0, 5.0])"
    a, b = both(engine, flux)
    assert a[1] == ["_start", "_stop", "_field", "_measurement", "t", "le", "_value"]
    assert a[2] == [1.0, 3.0, 4.0, 5.0] and b[2] == [0.0, 0.0, 1.0, 1.0]
    assert both(engine, flux, "le")[0][2] == [1.0, 2.0, 5.0, 10.0]


def test_normalized_with_other_labels(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._measurement == "h")' \
        ' |> histogram(bins: [1.0, 3.0, 10.0], normalize: true, upperBoundColumn: "ub",' \
        ' countColumn: "n")'
    a, b = both(engine, flux, "n")
    assert a[1][-2:] == ["ub", "n"]
    assert a[2] == [0.2, 0.8, 1.0] and b[2] == [0.0, 1.0, 1.0]


def test_value_above_every_bin(engine):
    with pytest.raises(FluxRuntimeError, match="found value greater than any bin"):
        engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "h")'
                             " |> histogram(bins: [1.0, 2.0])")


def test_needs_a_float_column(engine):
    with pytest.raises(FluxRuntimeError, match='column "_value" must be a float got int'):
        engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "i")'
                             " |> histogram(bins: [1.0])")


def test_bins_functions(engine):
    program = Interpreter(now=lambda: 0).run(
        "a = linearBins(start: 0.0, width: 0.1, count: 3)\n"
        "b = logarithmicBins(start: 1.0, factor: 10.0, count: 3, infinity: false)")
    assert list(program.scope.lookup("a")) == [0.0, 0.1, 0.2, math.inf]
    assert list(program.scope.lookup("b")) == [1.0, 10.0, 100.0]
