import "array"

r = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> tableFind(fn: (key) => key.host == "a")
    |> getRecord(idx: 1)

array.from(rows: [{host: r.host, time: r._time, value: r._value, field: r._field, start: r._start}])
