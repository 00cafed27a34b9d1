import "join"

data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> drop(columns: ["_measurement", "_field"])
mem = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_measurement", "_field"])

join.time(left: cpu, right: mem, as: (l, r) => ({l with mem: r._value}))
