// day windows from 06:00 Paris time: the one holding the spring-forward change lasts 23 hours
import "timezone"

from(bucket: "test")
    |> range(start: 2024-03-29T00:00:00Z, stop: 2024-04-01T12:00:00Z)
    |> aggregateWindow(
        every: 1d,
        offset: 6h,
        fn: mean,
        location: timezone.location(name: "Europe/Paris"),
    )
