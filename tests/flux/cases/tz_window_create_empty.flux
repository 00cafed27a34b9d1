// window(createEmpty: true) in New York: every local day of the range gets a table
import "timezone"

from(bucket: "test")
    |> range(start: 2024-11-02T00:00:00Z, stop: 2024-11-05T00:00:00Z)
    |> window(
        every: 1d,
        createEmpty: true,
        location: timezone.location(name: "America/New_York"),
    )
    |> count()
