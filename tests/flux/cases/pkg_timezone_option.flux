import "date"
import "timezone"

option location = timezone.fixed(offset: 5h30m)

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            h: date.hour(t: r._time),
            m: date.minute(t: r._time),
            d: date.monthDay(t: r._time),
            utc: date.hour(t: r._time, location: timezone.utc),
        }),
    )
