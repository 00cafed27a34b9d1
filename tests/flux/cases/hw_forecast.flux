from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "cpu")
    |> holtWinters(n: 3, interval: 1m)
