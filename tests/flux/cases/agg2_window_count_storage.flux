// window |> count on a storage read: InfluxDB's storage computes it (PushDownWindowAggregateRule)
// and lays the rows out as _start, _stop, _value, <tags>; a string field counts too
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:30Z, stop: 2024-01-01T00:05:00Z)
    |> filter(fn: (r) => r._measurement == "cpu" or r._measurement == "log")
    |> window(every: 2m)
    |> count()
