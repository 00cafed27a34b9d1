import "array"

data = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
rec = data |> findRecord(fn: (key) => key.host == "b", idx: 0)
nothing = data |> findRecord(fn: (key) => key.host == "z", idx: 0)
past = data |> findRecord(fn: (key) => key.host == "b", idx: 9)

array.from(rows: [{value: rec._value, host: rec.host, nothing: exists nothing._value, past: exists past._value}])
