from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-15T00:00:00Z)
    |> aggregateWindow(every: 1w, offset: -3d, fn: sum, createEmpty: false)
