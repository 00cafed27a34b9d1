from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:01:40Z)
    |> timedMovingAverage(every: 20s, period: 40s)
