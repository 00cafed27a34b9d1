import "array"

hosts = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> keep(columns: ["host"])
    |> group()
    |> distinct(column: "host")
    |> findColumn(fn: (key) => true, column: "_value")

array.from(rows: [{hosts: length(arr: hosts)}])
