import "array"

r = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> tableFind(fn: (key) => key.host == "a")
    |> getRecord(idx: 5)

array.from(rows: [{v: r._value}])
