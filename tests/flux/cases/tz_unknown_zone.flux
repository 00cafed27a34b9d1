// a location record naming a zone that does not exist
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> window(every: 1d, location: {zone: "Mars/Olympus", offset: 0h})
