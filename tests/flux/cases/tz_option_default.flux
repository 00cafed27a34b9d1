// the location option is aggregateWindow's default location
import "timezone"

option location = timezone.location(name: "America/New_York")

from(bucket: "test")
    |> range(start: 2023-12-31T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> aggregateWindow(every: 1d, fn: count, createEmpty: false)
