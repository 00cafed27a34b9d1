data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
cpu = data |> filter(fn: (r) => r._measurement == "cpu")
mem = data |> filter(fn: (r) => r._measurement == "mem")

join(tables: {mem: mem, cpu: cpu}, on: ["_time", "host"])
