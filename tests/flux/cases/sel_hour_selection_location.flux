from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> hourSelection(start: 4, stop: 7, location: {zone: "America/New_York", offset: 0h})
