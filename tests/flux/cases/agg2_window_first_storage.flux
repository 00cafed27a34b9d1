// selectors of windows are pushed too, but storage keeps the read's layout for them
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:04:00Z)
    |> filter(fn: (r) => r._measurement == "cpu")
    |> window(every: 2m)
    |> first()
