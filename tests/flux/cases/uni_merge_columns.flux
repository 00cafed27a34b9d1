a = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" and r.host == "a")
    |> drop(columns: ["host"])

b = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" and r.host == "b")
    |> drop(columns: ["host"])
    |> set(key: "unit", value: "%")

union(tables: [a, b])
    |> sort(columns: ["_time", "_value"])
