import "join"

data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
cpu = data |> filter(fn: (r) => r._measurement == "cpu") |> drop(columns: ["_measurement", "_field"])
mem = data |> filter(fn: (r) => r._measurement == "mem") |> drop(columns: ["_measurement", "_field"])

join.full(
    left: cpu,
    right: mem,
    on: (l, r) => r._time == l._time,
    as: (l, r) => {
        time = if exists l._time then l._time else r._time

        return {_start: l._start, _stop: l._stop, host: r.host, _time: time, cpu: l._value, mem: r._value}
    },
)
