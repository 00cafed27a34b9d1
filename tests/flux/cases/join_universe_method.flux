data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
join(tables: {a: data, b: data}, on: ["_time"], method: "left")
