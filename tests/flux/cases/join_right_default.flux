import "join"

data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> drop(columns: ["_measurement", "_field"])
mem = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_measurement", "_field"])

// the left stream has no table for host b: l is a default record there (key columns set)
join.right(
    left: cpu |> filter(fn: (r) => r.host == "a"),
    right: mem,
    on: (l, r) => l._time == r._time,
    as: (l, r) => ({r with cpu: l._value, lhost: l.host}),
)
