"""to: rows written as points (tags, fields, types), the input passed on, reruns replacing
their output, and InfluxDB's errors."""

from __future__ import annotations

import polars as pl
import pytest
from helpers import bare_context

from tsengine.errors import FluxRuntimeError
from tsengine.execute.table import TIME_DTYPE, TableStream
from tsengine.stdlib.influxdb.to import To, run_to

T0 = 1704067200000000000
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
DATA = "\n".join([
    f"cpu,host=a,region=eu usage=1.5,idle=3i {T0}",
    f"cpu,host=a,region=eu usage=2.5,idle=4i {T0 + S}",
    f"cpu,host=b usage=7 {T0}",
    f'mem,host=a free=10u,ok=true,note="x y" {T0}',
]) + "\n"


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.create_bucket("out")
    engine.write("b", DATA)
    return engine


def written(engine):
    return sorted(engine.export("out").splitlines())


def test_rows_are_written_as_the_points_they_were_read_from(engine):
    engine.query(RANGE + ' |> to(bucket: "out")')
    assert written(engine) == sorted(engine.export("b").splitlines())


def test_to_returns_its_input(engine):
    plain = engine.query(RANGE)["_result"]
    passed = engine.query(RANGE + ' |> to(bucket: "out")')["_result"]
    assert [(t.key_record(), t.frame.to_dicts()) for t in passed] == \
           [(t.key_record(), t.frame.to_dicts()) for t in plain]


def test_the_written_points_can_be_read_back_by_a_later_result(engine):
    result = engine.query(RANGE + ' |> filter(fn: (r) => r._field == "idle") |> to(bucket: "out")\n'
                          'from(bucket: "out") |> range(start: 2024-01-01T00:00:00Z,'
                          ' stop: 2024-01-01T01:00:00Z) |> yield(name: "back")')
    (back,) = result["back"]
    assert back.frame["_value"].to_list() == [3, 4]
    assert back.frame.schema["_value"] == pl.Int64


def test_a_rerun_replaces_its_output(engine):
    flux = RANGE + ' |> to(bucket: "out")'
    engine.query(flux)
    first = written(engine)
    engine.query(flux)
    assert written(engine) == first


def test_explicit_tag_columns_and_empty_tag_values(engine):
    engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "cpu")'
                         ' |> to(bucket: "out", tagColumns: ["region"])')
    assert written(engine) == [f"cpu usage=7.0 {T0}",
                               f"cpu,region=eu idle=3i,usage=1.5 {T0}",
                               f"cpu,region=eu idle=4i,usage=2.5 {T0 + S}"]


def test_an_empty_tag_value_is_left_out(engine):
    engine.query(RANGE + ' |> filter(fn: (r) => r.host == "b") |> set(key: "host", value: "")'
                         ' |> to(bucket: "out")')
    assert written(engine) == [f"cpu usage=7.0 {T0}"]


def test_field_fn_fields_and_the_columns_it_reads_are_not_tags(engine):
    engine.query(RANGE + ' |> filter(fn: (r) => r._field == "usage")'
                         ' |> to(bucket: "out", fieldFn: (r) => ({u2: r._value * 2.0, h: r.host,'
                         " n: 1}))")
    assert written(engine) == [f'cpu h="b",n=1i,u2=14.0 {T0}',
                               f'cpu,region=eu h="a",n=1i,u2=3.0 {T0}',
                               f'cpu,region=eu h="a",n=1i,u2=5.0 {T0 + S}']


def test_a_field_fn_with_no_expression_form_runs_row_by_row(engine):
    engine.query(RANGE + ' |> filter(fn: (r) => r._field == "usage" and r.host == "a")'
                         ' |> to(bucket: "out", fieldFn: (r) => {\n'
                         "  x = r._value / 0.5\n  return {x: x, t: r._time, inf: 1.0 / 0.0}\n})")
    assert written(engine) == [f"cpu,host=a,region=eu t={T0}i,x=3.0 {T0}",
                               f"cpu,host=a,region=eu t={T0 + S}i,x=5.0 {T0 + S}"]


def test_field_types_are_kept(engine):
    engine.query(RANGE + ' |> filter(fn: (r) => r._measurement == "mem") |> to(bucket: "out")')
    assert written(engine) == [f'mem,host=a free=10u,note="x y",ok=true {T0}']


def test_errors(engine):
    cases = [
        (' |> to(bucket: "nope")', 'to: failed to look up bucket "nope" in org ""'),
        (' |> filter(fn: (r) => r._field == "usage") |> drop(columns: ["_field"])'
         ' |> to(bucket: "out")', "table has no _field column"),
        (' |> filter(fn: (r) => r._field == "usage") |> drop(columns: ["_value"])'
         ' |> to(bucket: "out")', "table has no _value column"),
        (' |> drop(columns: ["_measurement"]) |> filter(fn: (r) => r._field == "usage")'
         ' |> to(bucket: "out")', "no column with label _measurement exists"),
        (' |> to(bucket: "out", timeColumn: "nope")', "no time column detected"),
        (' |> filter(fn: (r) => r._field == "usage") |> to(bucket: "out",'
         ' timeColumn: "_value")', "column _value of type float is not of type time"),
        (' |> filter(fn: (r) => r._field == "usage") |> to(bucket: "out",'
         ' tagColumns: ["_value"])', "invalid type for tag column"),
    ]
    for flux, message in cases:
        with pytest.raises(FluxRuntimeError, match=message):
            engine.query(RANGE + flux)
    assert written(engine) == []


def test_a_field_type_conflict_in_the_target_is_an_error(engine):
    engine.write("out", f"cpu,host=a,region=eu usage=1i {T0}\n")
    with pytest.raises(FluxRuntimeError, match="to: partial write: field type conflict"):
        engine.query(RANGE + ' |> filter(fn: (r) => r._field == "usage") |> to(bucket: "out")')


def test_bad_arguments(engine):
    with pytest.raises(FluxRuntimeError, match="cannot provide both `bucket` and `bucketID`"):
        engine.query(RANGE + ' |> to(bucket: "out", bucketID: "x")')
    with pytest.raises(FluxRuntimeError, match="tagColumns must be an array of strings"):
        engine.query(RANGE + ' |> to(bucket: "out", tagColumns: "host")')


def test_bucket_id_and_org_name_find_the_bucket(engine):
    bucket = engine.bucket("out")
    org = engine.store.org().name
    engine.query(RANGE + f' |> filter(fn: (r) => r.host == "b") |> to(bucketID: "{bucket.id}",'
                         f' org: "{org}")')
    assert written(engine) == [f"cpu,host=b usage=7.0 {T0}"]


# -- rows without a time, on frames built here ----------------------------------------------------
def test_rows_with_a_null_time_are_neither_written_nor_passed_on(engine):
    frame = pl.DataFrame({
        "_time": pl.Series([T0, None, None], dtype=pl.Int64).cast(TIME_DTYPE),
        "_measurement": ["m", "m", "m"], "_field": ["f", "f", "f"], "_value": [1.0, 2.0, 3.0],
        "k": ["a", "a", "b"]})
    out = run_to(bare_context(engine.store), To(None, "out", None),  # type: ignore[arg-type]
                 [TableStream.of(frame, ["k"])])
    assert [(t.key_record(), t.frame["_value"].to_list()) for t in out.tables()] == [
        ({"k": "a"}, [1.0]), ({"k": "b"}, [])]
    assert written(engine) == [f"m,k=a f=1.0 {T0}"]


def test_null_field_values_are_skipped(engine):
    frame = pl.DataFrame({
        "_time": pl.Series([T0, T0 + 1], dtype=pl.Int64).cast(TIME_DTYPE),
        "_measurement": ["m", "m"], "_field": ["f", "f"], "_value": [None, 2]})
    run_to(bare_context(engine.store), To(None, "out", None),  # type: ignore[arg-type]
           [TableStream.of(frame, [])])
    assert written(engine) == [f"m f=2i {T0 + 1}"]
