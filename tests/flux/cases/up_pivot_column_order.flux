// pivot joins tables of one output key even when their columns come in another order
// (a row-by-row map sorts columns by label)
data = from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
xs = data |> filter(fn: (r) => r._field == "x")
ys = data
    |> filter(fn: (r) => r._field == "y")
    |> map(fn: (r) => ({r with _value: r._value + float(v: length(arr: [1]))}))

union(tables: [xs, ys])
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    |> map(fn: (r) => ({r with n: length(arr: [r.x, r.y])}))
