// hour windows in New York when clocks go back: wall-clock 01:00-02:00 spans two hours
import "timezone"

from(bucket: "test")
    |> range(start: 2024-11-03T04:00:00Z, stop: 2024-11-03T09:00:00Z)
    |> aggregateWindow(every: 1h, fn: max, location: timezone.location(name: "America/New_York"))
