// Sydney's clocks go back on 2024-04-07: that local day lasts 25 hours
import "timezone"

from(bucket: "test")
    |> range(start: 2024-04-06T00:00:00Z, stop: 2024-04-08T00:00:00Z)
    |> window(every: 1d, location: timezone.location(name: "Australia/Sydney"))
    |> sum()
