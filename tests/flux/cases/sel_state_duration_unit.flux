from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> stateDuration(fn: (r) => r._value > 4.0, column: "d", unit: 1m)
