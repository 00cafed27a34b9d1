from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "mem")
    |> reduce(fn: (r, accumulator) => ({x: r.nope, n: accumulator.n + 1}), identity: {x: 0.0, n: 0})
