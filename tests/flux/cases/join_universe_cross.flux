data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
l = data |> filter(fn: (r) => r._measurement == "cpu") |> keep(columns: ["_time", "_value", "host"])
    |> group(columns: ["host"])
r = data |> filter(fn: (r) => r._measurement == "mem" and r.host == "a")
    |> keep(columns: ["_time", "_value", "host"]) |> group()

// host is in no on list: every left table meets the right table
join(tables: {r: r, l: l}, on: ["_time"])
