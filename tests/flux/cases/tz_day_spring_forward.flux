// day windows in New York across the spring-forward change: the 10th lasts 23 hours
import "timezone"

from(bucket: "test")
    |> range(start: 2024-03-09T00:00:00-05:00, stop: 2024-03-12T00:00:00-04:00)
    |> window(every: 1d, location: timezone.location(name: "America/New_York"))
    |> count()
