from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> histogram(bins: [5.0, 1.0, 10.0, 2.0])
