import "array"

c = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> tableFind(fn: (key) => true)
    |> getColumn(column: "nope")

array.from(rows: [{n: length(arr: c)}])
