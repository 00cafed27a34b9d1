// hour windows offset 30m on New York's clock: [01:30, 02:30) ends at the skipped hour's end
import "timezone"

from(bucket: "test")
    |> range(start: 2024-03-10T00:00:00Z, stop: 2024-03-11T00:00:00Z)
    |> window(every: 1h, offset: 30m, location: timezone.location(name: "America/New_York"))
