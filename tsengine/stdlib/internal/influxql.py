"""Package `internal/influxql`: the time bounds InfluxQL queries translated to Flux read
between, which upstream's InfluxQL-style test files (stdlib/testing/influxql) import."""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY
from tsengine.flux.values import Time

_PACKAGE = "internal/influxql"

REGISTRY.add(Time(0), "epoch", package=_PACKAGE)
# the smallest and largest times InfluxQL reads: int64's range less one at each end
REGISTRY.add(Time(-(2**63) + 2), "minTime", package=_PACKAGE)
REGISTRY.add(Time(2**63 - 2), "maxTime", package=_PACKAGE)
