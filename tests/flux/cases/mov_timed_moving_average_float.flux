from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:01:00Z)
    |> timedMovingAverage(every: 30s, period: 30s)
