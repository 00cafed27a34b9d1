// storage computes window |> sum and words its type error its own way
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:04:00Z)
    |> filter(fn: (r) => r._measurement == "log")
    |> window(every: 2m)
    |> sum()
