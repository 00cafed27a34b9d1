"""covariance per table, and cov/pearsonr over join."""

from __future__ import annotations

import math
import statistics

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
S = 1_000_000_000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
PIVOT = ' |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")'
XS, YS = [1.0, 2.0, 3.0, 5.0], [2.0, 4.5, 5.0, 11.0]


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [
        *(f"m,t=a x={x},y={y} {T0 + i * S}" for i, (x, y) in enumerate(zip(XS, YS, strict=True))),
        f"m,t=a x=9 {T0 + 10 * S}", f"m,t=b x=1,y=1 {T0}", f"i,t=c x=1i,y=2i {T0}",
    ])


def test_covariance_skips_incomplete_pairs(engine):
    (a,) = both(engine, RANGE + ' |> filter(fn: (r) => r.t == "a")' + PIVOT
                + ' |> covariance(columns: ["x", "y"])')
    assert a[2] == [pytest.approx(statistics.covariance(XS, YS))]
    (b,) = engine.query(RANGE + ' |> filter(fn: (r) => r.t == "b")' + PIVOT
                        + ' |> covariance(columns: ["x", "y"])')["_result"]
    assert math.isnan(b.frame["_value"][0])  # one pair: NaN (NaN != NaN, so not in both())
    assert a[1] == ["_start", "_stop", "_measurement", "t", "_value"]


def test_pearsonr_and_value_dst(engine):
    (a,) = both(engine, RANGE + ' |> filter(fn: (r) => r.t == "a")' + PIVOT
                + ' |> covariance(columns: ["x", "y"], pearsonr: true, valueDst: "r")', "r")
    assert a[2] == [pytest.approx(statistics.correlation(XS, YS))]


def test_cov_and_pearsonr_join_two_streams(engine):
    x = RANGE + ' |> filter(fn: (r) => r.t == "a" and r._field == "x")'
    y = RANGE + ' |> filter(fn: (r) => r.t == "a" and r._field == "y")'
    flux = f'x = {x}\ny = {y}\n'
    (cov,) = both(engine, flux + 'cov(x: x, y: y, on: ["_time", "t"])')
    (r,) = both(engine, flux + 'pearsonr(x: x, y: y, on: ["_time", "t"])')
    assert cov[2] == [pytest.approx(statistics.covariance(XS, YS))]
    assert r[2] == [pytest.approx(statistics.correlation(XS, YS))]


@pytest.mark.parametrize(("query", "message"), [
    (' |> covariance(columns: ["x"])', "must provide exactly two columns"),
    (' |> filter(fn: (r) => r._measurement == "m")' + PIVOT
     + ' |> covariance(columns: ["x", "z"])', "specified column does not exist in table: z"),
    (' |> filter(fn: (r) => r._measurement == "i")' + PIVOT
     + ' |> covariance(columns: ["x", "y"])', "covariance does not support int"),
])
def test_errors(engine, query, message):
    with pytest.raises(FluxRuntimeError, match=message):
        engine.query(RANGE + query)
