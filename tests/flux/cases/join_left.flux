import "join"

data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> drop(columns: ["_measurement", "_field"])
mem = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_measurement", "_field"])

mem
    |> join.left(
        right: cpu,
        on: (l, r) => l._time == r._time,
        as: (l, r) => ({_start: l._start, _stop: l._stop, _time: l._time, host: l.host, mem: l._value, cpu: r._value}),
    )
