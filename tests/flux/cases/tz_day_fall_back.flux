// aggregateWindow day windows in New York across the fall-back change: the 3rd lasts 25 hours
import "timezone"

from(bucket: "test")
    |> range(start: 2024-11-02T00:00:00-04:00, stop: 2024-11-05T00:00:00-05:00)
    |> aggregateWindow(every: 1d, fn: count, location: timezone.location(name: "America/New_York"))
