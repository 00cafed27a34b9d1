// buckets of 1m: 00:00:20 shares 00:00:10's bucket, 00:01 has no row (null), 00:01:40
// rounds to 00:02, 00:03:05 shares 00:02:50's bucket (00:03)
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "mem")
    |> holtWinters(n: 2, interval: 1m, withFit: true)
