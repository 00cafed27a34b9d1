from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" and r.host == "b")
    |> map(fn: (r) => ({r with t: "${r._time}"}))
