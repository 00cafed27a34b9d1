"""influxdata/influxdb/schema and v1: the Flux definitions over a bucket, values as InfluxDB's
index lists them (sorted, series without the tag left out)."""

from __future__ import annotations

import pytest

T = 1704103200000000000  # 2024-01-01T10:00:00Z


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.write("b", f"cpu,host=b,region=eu usage=1 {T}\ncpu,host=a usage=2 {T}\n"
                      f"mem,host=c free=3i {T}\nold,host=z v=1 1600000000000000000\n")
    return engine


def values(engine, call: str, package: str = "schema") -> list[str]:
    runs = [[v for t in engine.query(f'import "influxdata/influxdb/{package}"\n{call}',
                                     disabled_rules=off)["_result"]
             for v in t.frame["_value"].to_list()]
            for off in ((), ("all",))]
    assert runs[0] == runs[1]
    return runs[0]


@pytest.mark.parametrize("call, want", [
    ('schema.tagValues(bucket: "b", tag: "host")', ["a", "b", "c"]),
    ('schema.tagValues(bucket: "b", tag: "region")', ["eu"]),
    ('schema.tagValues(bucket: "b", tag: "host", start: 2020-01-01T00:00:00Z)', ["a", "b", "c",
                                                                                 "z"]),
    ('schema.measurements(bucket: "b")', ["cpu", "mem"]),
    ('schema.measurementTagValues(bucket: "b", measurement: "cpu", tag: "host")', ["a", "b"]),
    ('schema.fieldKeys(bucket: "b")', ["free", "usage"]),
    ('schema.fieldKeys(bucket: "b", predicate: (r) => r.host == "c")', ["free"]),
    ('schema.measurementFieldKeys(bucket: "b", measurement: "cpu")', ["usage"]),
    ('schema.tagKeys(bucket: "b")', ["_start", "_stop", "_field", "_measurement", "host",
                                      "region"]),
    ('schema.measurementTagKeys(bucket: "b", measurement: "mem")',
     ["_start", "_stop", "_field", "_measurement", "host"]),
])
def test_schema_functions(engine, call, want):
    assert values(engine, call) == want


def test_v1_aliases(engine):
    assert values(engine, 'v1.measurements(bucket: "b")', "v1") == ["cpu", "mem"]
    assert values(engine, 'v1.tagValues(bucket: "b", tag: "host")', "v1") == ["a", "b", "c"]


def test_fields_as_cols_pivots_fields_into_columns(engine):
    flux = ('import "influxdata/influxdb/schema"\nfrom(bucket: "b") |> range(start: -1d)'
            ' |> filter(fn: (r) => r._measurement == "cpu") |> schema.fieldsAsCols()')
    result = engine.query(flux)["_result"]
    assert sorted(t.frame.columns[-1] for t in result) == ["usage", "usage"]
    assert all("_field" not in t.key for t in result)
