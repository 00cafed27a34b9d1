// month windows start at local midnight of the 1st (EST in March, EDT in April)
import "timezone"

from(bucket: "test")
    |> range(start: 2024-02-01T00:00:00-05:00, stop: 2024-05-01T00:00:00-04:00)
    |> aggregateWindow(
        every: 1mo,
        fn: sum,
        timeSrc: "_start",
        location: timezone.location(name: "America/New_York"),
    )
