data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
a = data |> filter(fn: (r) => r._measurement == "cpu" or r._measurement == "net")
    |> drop(columns: ["_start", "_stop"])
b = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_start", "_stop", "_measurement"])

// the net table has no host column: it joins nothing
join(tables: {a: a, b: b}, on: ["_time", "host"])
