from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> map(fn: (r) => ({r with _value: if r._value > 6.0 then die(msg: "value too large") else r._value}))
