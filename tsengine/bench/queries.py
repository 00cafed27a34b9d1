"""The named query set, written three ways: Flux for InfluxDB v2 APIs and the embedded engine,
InfluxQL for InfluxDB 1.x, and hand-written DuckDB SQL over the Parquet files (the baseline).
All ask about the generated telemetry's `environmental_sensors` over the data's span."""

from __future__ import annotations

from dataclasses import dataclass

from storage import format_time
from storage.timeutil import HOUR

DAY = 24 * HOUR
MEASUREMENT = "environmental_sensors"
LOCATION = "us-east-site-01"
REGION = "us-east"
FIELDS = ("battery", "humidity", "pressure", "status", "temperature")


@dataclass(frozen=True)
class BenchQuery:
    """One question of the set; `sql` reads a view `t` (time as int64 ns, one column per tag
    and field) over the measurement's Parquet files."""

    name: str
    description: str
    flux: str
    influxql: str
    sql: str


def query_set(bucket: str, start: int, stop: int) -> list[BenchQuery]:
    """The set for points in [start, stop): windows are clipped to the span (the day is its
    first day, the hour its last hour)."""
    day_stop = min(stop, start + DAY)
    hour_start = max(start, stop - HOUR)

    def flux(lo: int, hi: int, where: str, rest: str) -> str:
        return (f'from(bucket: "{bucket}")\n  |> range(start: {format_time(lo)}, '
                f"stop: {format_time(hi)})\n  |> filter(fn: (r) => r._measurement == "
                f'"{MEASUREMENT}"{where})\n{rest}')

    def ql(select: str, lo: int, hi: int, where: str = "", group: str = "") -> str:
        return (f"SELECT {select} FROM {MEASUREMENT} WHERE time >= {lo} AND time < {hi}"
                f"{where}{group}")

    def span(lo: int, hi: int) -> str:
        return f"time >= {lo} AND time < {hi}"

    temperature = ' and r._field == "temperature"'
    last_sql = ", ".join(f"arg_max({f}, time) FILTER ({f} IS NOT NULL) AS {f}" for f in FIELDS)
    return [
        BenchQuery(
            "last_point", "the last value of every field of every series",
            flux(start, stop, "", "  |> last()"),
            # a statement per field, as Flux answers a table per series and field (last(*)
            # would answer a row per series, five fields wide)
            "; ".join(ql(f"last({f})", start, stop, group=" GROUP BY *") for f in FIELDS),
            f"SELECT sensor_id, location, region, {last_sql} FROM t "
            f"WHERE {span(start, stop)} GROUP BY ALL"),
        BenchQuery(
            "mean_10m_day", "10-minute means of temperature per sensor over a day",
            flux(start, day_stop, temperature,
                 "  |> aggregateWindow(every: 10m, fn: mean, createEmpty: false)"),
            ql("mean(temperature)", start, day_stop, group=" GROUP BY time(10m), * fill(none)"),
            "SELECT sensor_id, location, region, time // 600000000000 AS w, "
            f"avg(temperature) AS mean FROM t WHERE {span(start, day_stop)} "
            "AND temperature IS NOT NULL GROUP BY ALL"),
        BenchQuery(
            "location_hourly_max", f"hourly max temperature per sensor of {LOCATION}",
            flux(start, stop, f'{temperature} and r.location == "{LOCATION}"',
                 "  |> aggregateWindow(every: 1h, fn: max, createEmpty: false)"),
            ql("max(temperature)", start, stop, f" AND location = '{LOCATION}'",
               " GROUP BY time(1h), * fill(none)"),
            "SELECT sensor_id, location, region, time // 3600000000000 AS w, "
            f"max(temperature) AS max FROM t WHERE {span(start, stop)} "
            f"AND location = '{LOCATION}' AND temperature IS NOT NULL GROUP BY ALL"),
        BenchQuery(
            "pivot_fields", "every field as a column, one row per sensor and time, last hour",
            flux(hour_start, stop, "",
                 '  |> pivot(rowKey: ["_time"], columnKey: ["_field"], '
                 'valueColumn: "_value")'),
            ql("*", hour_start, stop),
            f"SELECT time, sensor_id, location, region, {', '.join(FIELDS)} FROM t "
            f"WHERE {span(hour_start, stop)}"),
        BenchQuery(
            "tag_filtered_range", f"raw humidity of region {REGION}, last hour",
            flux(hour_start, stop, f' and r.region == "{REGION}" and r._field == "humidity"', ""
                 ).rstrip("\n"),
            ql("humidity", hour_start, stop, f" AND region = '{REGION}'", " GROUP BY *"),
            f"SELECT time, sensor_id, location, region, humidity FROM t "
            f"WHERE {span(hour_start, stop)} AND region = '{REGION}' AND humidity IS NOT NULL"),
        BenchQuery(
            "group_by_all", "hourly mean temperature per region, over all series",
            flux(start, stop, temperature,
                 '  |> group(columns: ["region"])\n'
                 "  |> aggregateWindow(every: 1h, fn: mean, createEmpty: false)"),
            ql("mean(temperature)", start, stop, group=" GROUP BY time(1h), region fill(none)"),
            "SELECT region, time // 3600000000000 AS w, avg(temperature) AS mean FROM t "
            f"WHERE {span(start, stop)} AND temperature IS NOT NULL GROUP BY ALL"),
    ]
