"""interpolate.linear: points at every window boundary between rows, per table; errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "execute"))
from helpers import both, write_bucket  # noqa: E402

from tsengine.errors import FluxRuntimeError  # noqa: E402

T0 = 1704067200000000000
S = 10**9
Q = ('import "interpolate"\nfrom(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, '
     "stop: 2024-01-01T01:00:00Z)")


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"m,host=a v=1.0 {T0 + 5 * S}", f"m,host=a v=3.0 {T0 + 35 * S}",
                                 f"m,host=b v=1.0 {T0}", f"m,host=b v=1.0 {T0 + 10 * S}",
                                 f"n v=1i {T0}"])


def test_points_every_window_between_rows(engine):
    a, b = both(engine, Q + ' |> filter(fn: (r) => r._measurement == "m")'
                           " |> interpolate.linear(every: 10s)")
    assert a[2] == [1.0, 1 + (2.0 / 30e9) * 5e9, 1 + (2.0 / 30e9) * 15e9,
                    1 + (2.0 / 30e9) * 25e9, 3.0]
    assert b[2] == [1.0, 1.0] and a[0]["host"] == "a"
    (times,) = both(engine, Q + ' |> filter(fn: (r) => r.host == "a")'
                               " |> interpolate.linear(every: 10s)", "_time")
    assert [t.second for t in times[2]] == [5, 10, 20, 30, 35]


def test_errors(engine):
    with pytest.raises(FluxRuntimeError, match="cannot interpolate int values"):
        engine.query(Q + ' |> filter(fn: (r) => r._measurement == "n")'
                         " |> interpolate.linear(every: 1s)")
    with pytest.raises(FluxRuntimeError, match='requires column "extra" to be in group key'):
        engine.query(Q + ' |> filter(fn: (r) => r._measurement == "m") |> set(key: "extra", '
                         'value: "x") |> interpolate.linear(every: 1s)')
    with pytest.raises(FluxRuntimeError, match="every must be a positive duration"):
        engine.query(Q + " |> interpolate.linear(every: 1mo)")
