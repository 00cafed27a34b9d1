"""Percentiles as numpy's default computes them, and the peak-memory figures."""

from __future__ import annotations

import os
import random

import numpy as np
import pytest

from tsengine.bench.stats import Latency, peak_rss_bytes, percentile, process_peak_rss_bytes


def test_percentiles_of_known_values() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0]
    assert percentile(values, 0) == 1.0
    assert percentile(values, 100) == 10.0
    assert percentile(values, 50) == pytest.approx(5.5)
    assert percentile(values, 95) == pytest.approx(9.55)
    assert percentile(values, 99) == pytest.approx(9.91)
    assert percentile([3.0], 99) == 3.0
    assert percentile([5.0, 1.0], 50) == 3.0  # order of the input does not matter


def test_percentiles_equal_numpys_linear_method() -> None:
    rng = random.Random(1)
    for n in (1, 2, 3, 7, 100, 1001):
        values = [rng.expovariate(10) for _ in range(n)]
        for q in (0, 1, 25, 50, 90, 95, 99, 99.9, 100):
            assert percentile(values, q) == pytest.approx(np.percentile(values, q))


def test_latency_summary() -> None:
    got = Latency.of([0.4, 0.1, 0.2, 0.3])
    assert (got.count, got.min, got.max) == (4, 0.1, 0.4)
    assert got.mean == pytest.approx(0.25)
    assert got.p50 == pytest.approx(0.25)
    empty = Latency.of([])
    assert empty.count == 0 and empty.p50 is None and empty.p99 is None


def test_percentile_outside_range_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        percentile([1.0], 101)


def test_peak_rss_is_this_process_size() -> None:
    peak = peak_rss_bytes()
    assert 10 * 2**20 < peak < 64 * 2**30
    own = process_peak_rss_bytes(os.getpid())
    if own is not None:  # Linux: VmHWM is the same figure
        assert abs(own - peak) < 0.05 * peak
    assert process_peak_rss_bytes(2**22 + 12345) is None
