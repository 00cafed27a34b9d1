import "array"

t = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> tableFind(fn: (key) => key.host == "b")
values = t |> getColumn(column: "_value")

array.from(rows: [{n: length(arr: values), first: values[0], last: values[1]}])
