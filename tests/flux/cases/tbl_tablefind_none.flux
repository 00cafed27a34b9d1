import "array"

t = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> tableFind(fn: (key) => key.host == "z")

array.from(rows: [{n: t |> getColumn(column: "_value") |> length()}])
