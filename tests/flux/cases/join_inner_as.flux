import "join"

data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> drop(columns: ["_measurement", "_field"])
mem = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_measurement", "_field"])

join.inner(
    left: cpu,
    right: mem,
    on: (l, r) => l._time == r._time and l.host == r.host,
    as: (l, r) => ({l with used: r._value, ratio: l._value / float(v: r._value)}),
)
