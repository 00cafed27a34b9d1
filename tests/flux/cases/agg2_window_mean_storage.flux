// window |> mean on a storage read: storage's layout, float means of float and int fields
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:04:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" or r._measurement == "mem")
    |> window(every: 2m)
    |> mean()
