from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:02:30Z)
    |> aggregateWindow(every: 1m, fn: sum)
