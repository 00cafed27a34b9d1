// a negative offset is no window storage makes (isPushableWindow): Flux sums the windows,
// key columns then _value
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T00:04:00Z)
    |> filter(fn: (r) => r._measurement == "cpu")
    |> window(every: 2m, offset: -1m)
    |> sum()
