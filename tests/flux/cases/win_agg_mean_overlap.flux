from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:03:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" and r.host == "a")
    |> aggregateWindow(every: 1m, period: 2m, fn: mean, createEmpty: false)
