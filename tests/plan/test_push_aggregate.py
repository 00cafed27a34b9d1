"""Bare aggregates and selectors pushed into the storage read: visible in the plan, and the
same tables as the plain plan (including the plain plan's errors)."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError

T0 = 1704067200000000000
RANGE = 'from(bucket: "b") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)'
DATA = (
    f"cpu,host=a,region=eu usage=1.5,n=1i,ok=true,msg=\"x\" {T0}\n"
    f"cpu,host=a,region=eu usage=0.5,n=7i {T0 + 10**9}\n"
    f"cpu,host=a,region=eu usage=0.5,msg=\"y\" {T0 + 2 * 10**9}\n"
    f"cpu,host=b usage=3,n=2i {T0 + 5 * 10**9}\n"
    f"mem,host=a free=10u {T0}\n"
    f"mem,host=a free=4u {T0 + 10**9}\n"
)
FUNCTIONS = ["count()", "sum()", "mean()", "first()", "last()", "min()", "max()"]


@pytest.fixture
def engine(engine):
    engine.create_bucket("b")
    engine.write("b", DATA)
    return engine


def rows(engine, flux, **kw):
    return [(t.key_record(), t.frame.columns, t.frame.rows())
            for t in engine.query(flux, **kw)["_result"]]


@pytest.mark.parametrize("fn", FUNCTIONS)
def test_pushed_aggregate_gives_the_plain_plans_tables(engine, fn):
    flux = RANGE + ' |> filter(fn: (r) => r._field == "usage" or r._field == "n" or ' \
                   f'r._field == "free") |> {fn}'
    assert "StorageAggregate(fn=" + fn[:-2] in engine.explain(flux)
    assert rows(engine, flux) == rows(engine, flux, disabled_rules=("all",))


def test_selector_values_and_times(engine):
    flux = RANGE + ' |> filter(fn: (r) => r._field == "usage") |> min()'
    got = {t.key_record()["host"]: t.frame.select("_time", "_value").rows()
           for t in engine.query(flux)["_result"]}
    assert [(t.isoformat(), v) for t, v in got["a"]] == [("2024-01-01T00:00:01+00:00", 0.5)]
    assert got["b"][0][1] == 3.0


def test_count_takes_every_type_and_keeps_the_storage_layout(engine):
    flux = RANGE + " |> count()"
    tables = engine.query(flux)["_result"]
    assert rows(engine, flux) == rows(engine, flux, disabled_rules=("all",))
    assert {t.key_record()["_field"]: t.frame["_value"].to_list() for t in tables
            if t.key_record().get("host") == "a" and t.key_record()["_measurement"] == "cpu"} \
        == {"msg": [2], "n": [2], "ok": [1], "usage": [3]}
    assert tables[0].frame.columns[:3] == ["_start", "_stop", "_value"]


def test_a_type_the_aggregate_does_not_take_gives_the_plain_plans_error(engine):
    flux = RANGE + " |> mean()"
    assert "StorageAggregate(fn=mean" in engine.explain(flux)
    with pytest.raises(FluxRuntimeError) as pushed:
        engine.query(flux)
    with pytest.raises(FluxRuntimeError) as plain:
        engine.query(flux, disabled_rules=("all",))
    assert str(pushed.value) == str(plain.value)


def test_not_pushed_after_a_filter_storage_cannot_take(engine):
    flux = RANGE + " |> filter(fn: (r) => r._value > 1.0) |> max()"
    assert "StorageAggregate" not in engine.explain(flux)


def test_not_pushed_for_another_column(engine):
    flux = RANGE + ' |> last(column: "host")'
    assert "StorageAggregate" not in engine.explain(flux)


def test_the_rule_can_be_switched_off_alone(engine):
    flux = RANGE + " |> last()"
    assert "StorageAggregate" not in engine.explain(flux, disabled_rules=("push_aggregate",))
    assert "StorageRead" in engine.explain(flux, disabled_rules=("push_aggregate",))
