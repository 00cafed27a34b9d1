import "date"
import "timezone"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            h: date.hour(t: r._time),
            wd: date.weekDay(t: r._time),
            ms: date.millisecond(t: r._time),
            yd: date.yearDay(t: r._time),
            hny: date.hour(t: r._time, location: timezone.location(name: "America/New_York")),
            tr: date.truncate(t: r._time, unit: 1h),
        }),
    )
