import "date"
import "timezone"

ny = timezone.location(name: "America/New_York")

from(bucket: "test")
    |> range(start: 2024-03-09T00:00:00Z, stop: 2024-03-12T00:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            day: date.truncate(t: r._time, unit: 1d, location: ny),
            next: date.add(d: 1d, to: r._time, location: ny),
            month: date.truncate(t: r._time, unit: 1mo, location: ny),
        }),
    )
