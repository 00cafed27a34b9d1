from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> filter(fn: (r) => r._measurement == "sales")
    |> holtWinters(n: 4, interval: 1h, seasonality: 3, withMinSSE: true)
