// timezone.fixed: days start at 05:00Z; storage does not compute such windows
import "timezone"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-03T00:00:00Z)
    |> aggregateWindow(every: 1d, fn: sum, location: timezone.fixed(offset: -5h))
