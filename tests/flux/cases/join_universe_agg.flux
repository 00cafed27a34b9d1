data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> group(columns: ["host"])
    |> keep(columns: ["host", "_value"]) |> sum() |> rename(columns: {_value: "cpu"})
mem = data |> filter(fn: (r) => r._measurement == "mem") |> group(columns: ["host"])
    |> keep(columns: ["host", "_value"]) |> sum() |> rename(columns: {_value: "mem"})

join(tables: {c: cpu, m: mem}, on: ["host"])
