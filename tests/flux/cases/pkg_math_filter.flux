import "math"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => math.abs(x: r._value) > 2.0 or math.signbit(x: r._value) == false and r.host == "b")
