"""skew: upstream's one-pass skewness per table; null without values, NaN below two."""

from __future__ import annotations

import math

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError
from tsengine.stdlib.universe.skew import skewness

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        *(f"m,t=a v={v} {T0 + i * S}" for i, v in enumerate([1.0, 2.0, 3.0, 10.0])),
        f"m,t=b v=5 {T0}", f"n,t=c v=1i {T0}", f"n,t=c v=4i {T0 + S}", f"n,t=c v=4i {T0 + 2 * S}",
        f's,t=d v="x" {T0}',
    ])


def closed_form(values: list[float]) -> float:
    n = len(values)
    mean = sum(values) / n
    m2 = sum((v - mean) ** 2 for v in values)
    m3 = sum((v - mean) ** 3 for v in values)
    return math.sqrt(n) * m3 / m2 ** 1.5


def test_skew_per_table(engine):
    (a,) = both(engine, RANGE + ' |> filter(fn: (r) => r.t == "a") |> skew()')
    assert a[2] == [pytest.approx(closed_form([1.0, 2.0, 3.0, 10.0]))]
    (b,) = engine.query(RANGE + ' |> filter(fn: (r) => r.t == "b") |> skew()')["_result"]
    assert math.isnan(b.frame["_value"][0])  # one value: NaN (NaN != NaN, so not in both())
    assert a[1] == ["_start", "_stop", "_field", "_measurement", "t", "_value"]


def test_ints_give_float(engine):
    (c,) = both(engine, RANGE + ' |> filter(fn: (r) => r._measurement == "n") |> skew()')
    assert c[2] == [pytest.approx(closed_form([1.0, 4.0, 4.0]))]


def test_no_values_and_equal_values():
    assert skewness([]) is None
    assert math.isnan(skewness([2.0, 2.0]))


def test_strings_are_an_error(engine):
    with pytest.raises(FluxRuntimeError, match="unsupported aggregate column type string"):
        engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "s") |> skew()')
