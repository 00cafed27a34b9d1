option location = {zone: "UTC", offset: 2h}

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> hourSelection(start: 0, stop: 1)
