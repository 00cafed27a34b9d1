// window(every: inf) is a window storage makes (every == period): storage's layout
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:04:00Z)
    |> filter(fn: (r) => r._measurement == "mem")
    |> window(every: inf)
    |> count()
