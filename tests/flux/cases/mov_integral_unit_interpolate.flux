from(bucket: "test")
    |> range(start: 2023-12-31T23:59:30Z, stop: 2024-01-01T00:02:00Z)
    |> integral(unit: 1m, interpolate: "linear")
