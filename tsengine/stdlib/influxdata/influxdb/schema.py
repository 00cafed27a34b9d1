"""Package `influxdata/influxdb/schema`: a bucket's measurements, tag keys, tag values and
field keys, and `fieldsAsCols`, written in Flux over from/range/filter/keep/keys/distinct.

Upstream's definitions, with one step added to tag values: InfluxDB answers
`from |> range |> filter |> keep(columns: [tag]) |> group() |> distinct(column: tag)` from its
index (PushDownReadTagValuesRule), which lists the values of series that have the tag, sorted;
plain Flux would list them in order of appearance with a null for series without the tag. So
`tagValues` drops nulls and sorts. Tag keys need no such step: the index lists `_start`,
`_stop`, then the keys sorted, as `keys()` gives them from tables read in key order.
"""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY
from tsengine.stdlib.influxdb import from_  # noqa: F401  (registers `from`, the option's default)

PACKAGE = "influxdata/influxdb/schema"

# `option schema._from = ...`: the source every function reads, which upstream's own tests
# replace with in-memory tables; read at call time, so a script's option applies
REGISTRY.add(REGISTRY.universe["from"], "_from", package=PACKAGE)

REGISTRY.define_in_flux("""
import "internal/debug"

_startDefault = -30d

_source = (bucket) =>
    debug.getOption(pkg: "influxdata/influxdb/schema", name: "_from")(bucket: bucket)

fieldsAsCols = (tables=<-) =>
    tables |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")

tagValues = (bucket, tag, predicate=(r) => true, start=_startDefault, stop=now()) =>
    _source(bucket: bucket)
        |> range(start: start, stop: stop)
        |> filter(fn: predicate)
        |> keep(columns: [tag])
        |> group()
        |> distinct(column: tag)
        |> filter(fn: (r) => exists r._value)
        |> sort()

tagKeys = (bucket, predicate=(r) => true, start=_startDefault, stop=now()) =>
    _source(bucket: bucket)
        |> range(start: start, stop: stop)
        |> filter(fn: predicate)
        |> keys()
        |> keep(columns: ["_value"])
        |> distinct()

measurementTagValues = (bucket, measurement, tag, start=_startDefault, stop=now()) =>
    tagValues(bucket: bucket, tag: tag, predicate: (r) => r._measurement == measurement,
              start: start, stop: stop)

measurementTagKeys = (bucket, measurement, start=_startDefault, stop=now()) =>
    tagKeys(bucket: bucket, predicate: (r) => r._measurement == measurement, start: start,
            stop: stop)

fieldKeys = (bucket, predicate=(r) => true, start=_startDefault, stop=now()) =>
    tagValues(bucket: bucket, tag: "_field", predicate: predicate, start: start, stop: stop)

measurementFieldKeys = (bucket, measurement, start=_startDefault, stop=now()) =>
    fieldKeys(bucket: bucket, predicate: (r) => r._measurement == measurement, start: start,
              stop: stop)

measurements = (bucket, start=_startDefault, stop=now()) =>
    tagValues(bucket: bucket, tag: "_measurement", start: start, stop: stop)
""", package=PACKAGE)
