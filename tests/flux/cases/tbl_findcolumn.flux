import "array"

data = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
vals = data |> findColumn(fn: (key) => key.host == "b", column: "_value")
none = data |> findColumn(fn: (key) => key.host == "z", column: "_value")
missing = data |> findColumn(fn: (key) => key.host == "a", column: "nope")

array.from(rows: [{n: length(arr: vals), sum: vals[0] + vals[1], none: length(arr: none), missing: length(arr: missing)}])
