from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T03:00:00Z)
    |> aggregateWindow(every: 1h, offset: 15m, fn: mean)
