"""aggregateWindow's count/sum/mean pushed into the storage read: visible in the plan, and the
same tables as the plain plan, whether rows come from the hot tier, from Parquet or both, over
one day or several, and for series lacking a tag (which run the plain plan)."""

from __future__ import annotations

import pytest

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
MINUTE = 60 * 10**9
HOUR = 60 * MINUTE
DAY = 24 * HOUR
RANGE = 'from(bucket: "b") |> range(start: 2023-12-31T22:00:00Z, stop: 2024-01-01T02:00:00Z)'


def points(hosts, start, count, step):
    return "".join(f"cpu,host={h},dc=x usage={(i * 7 + n) % 11}.5,n={i}i {start + i * step}\n"
                   for n, h in enumerate(hosts) for i in range(count))


def csv_both_ways(engine, flux):
    pushed = engine.query_csv(flux)
    assert pushed == engine.query_csv(flux, disabled_rules=("all",))
    assert pushed == engine.query_csv(flux, disabled_rules=("push_window_aggregate",))
    return pushed


@pytest.mark.parametrize("fn", ["mean", "sum", "count"])
@pytest.mark.parametrize("compact", [False, True])
def test_pushed_windows_give_the_plain_plans_tables(engine, fn, compact):
    engine.create_bucket("b")
    # across midnight: two day partitions once compacted
    engine.write("b", points(["b", "a"], T0 - HOUR, 40, 3 * MINUTE))
    if compact:
        engine.compact()
        engine.write("b", points(["a"], T0 - 30 * MINUTE, 3, 7 * MINUTE))  # hot over cold
    flux = RANGE + f' |> filter(fn: (r) => r._field == "usage" or r._field == "n")' \
                   f" |> aggregateWindow(every: 20m, fn: {fn})"
    assert f"StorageWindowAggregate(fn={fn}, every=20m" in engine.explain(flux)
    csv = csv_both_ways(engine, flux)
    assert csv.count(",usage,cpu,") > 0 and csv.count(",n,cpu,") > 0


def test_series_lacking_a_tag_and_empty_windows(engine):
    engine.create_bucket("b")
    engine.write("b", f"cpu,host=a usage=1 {T0}\ncpu usage=2 {T0 + MINUTE}\n"
                      f"cpu,host=a usage=4 {T0 + HOUR}\n")
    flux = RANGE + " |> aggregateWindow(every: 30m, fn: mean)"
    csv = csv_both_ways(engine, flux)
    lines = [line for line in csv.splitlines() if line.startswith(",,")]
    assert len(lines) == 2 * 8  # two series, 8 windows of 30 minutes each, empty ones filled


def test_not_pushed_where_storage_does_not_window(engine):
    engine.create_bucket("b")
    engine.write("b", points(["a"], T0, 5, MINUTE))
    for flux in (RANGE + " |> aggregateWindow(every: 20m, period: 40m, fn: mean)",
                 RANGE + " |> aggregateWindow(every: 20m, fn: median)",
                 RANGE + " |> aggregateWindow(every: 20m, period: 40m, fn: max)",
                 RANGE + ' |> filter(fn: (r) => r._value > 1.0) |> aggregateWindow(every: 20m,'
                         " fn: mean)"):
        assert "StorageWindowAggregate" not in engine.explain(flux)
        csv_both_ways(engine, flux)


def test_selectors_are_pushed_as_influxdb_pushes_them(engine):
    engine.create_bucket("b")
    engine.write("b", points(["a"], T0, 5, MINUTE))
    for fn in ("max", "min", "first", "last"):
        flux = RANGE + f" |> aggregateWindow(every: 20m, fn: {fn})"
        assert f"StorageWindowAggregate(fn={fn}" in engine.explain(flux)
        csv_both_ways(engine, flux)


def test_a_type_mean_does_not_take_gives_the_plain_error(engine):
    engine.create_bucket("b")
    engine.write("b", f'cpu,host=a msg="x" {T0}\n')
    flux = RANGE + " |> aggregateWindow(every: 20m, fn: mean)"
    with pytest.raises(Exception) as pushed:
        engine.query(flux)
    with pytest.raises(Exception) as plain:
        engine.query(flux, disabled_rules=("all",))
    assert str(pushed.value) == str(plain.value)


def test_series_numbers_from_parquet_give_the_same_windows(engine):
    """Compacted data without hot rows: storage numbers each row's series, the pushed window
    aggregate finds series boundaries from those numbers, and the tables are the plain plan's,
    across two day files (a series' rows in two runs)."""
    engine.create_bucket("b")
    engine.write("b", points(["c", "a", "b"], T0 - HOUR, 40, 3 * MINUTE))
    engine.compact()
    (wide,) = engine.store.scan_wide("b", T0 - 2 * HOUR, T0 + 2 * HOUR)
    assert wide.numbered
    numbers = wide.frame.collect().get_column(wide.SERIES_COLUMN)
    assert numbers.null_count() == 0 and numbers.n_unique() == 6  # 3 series x 2 day files
    flux = RANGE + ' |> filter(fn: (r) => r._field == "usage") |> aggregateWindow(every: 20m,' \
                   ' fn: mean)'
    assert "StorageWindowAggregate(fn=mean" in engine.explain(flux)
    csv = csv_both_ways(engine, flux)
    assert csv.count(",usage,cpu,x,") == 3 * 12  # 3 series x 12 windows of 20m in 4h
