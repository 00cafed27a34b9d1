// window(createEmpty: true) |> count on a storage read: pushed too, empty windows count 0
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:04:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" and r.host == "b")
    |> window(every: 1m, createEmpty: true)
    |> count()
