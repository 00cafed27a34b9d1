from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> map(fn: (r) => ({_time: r._time, id: "${r._measurement}.${r.host}", v: float(v: r._value)}))
    |> sort(columns: ["_time", "id"])
