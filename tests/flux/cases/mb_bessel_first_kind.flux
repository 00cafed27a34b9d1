import "math"

// j1 of a small negative x is positive in Go (its sign is dropped below 2^-27)
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "b")
    |> map(fn: (r) => ({r with j0: math.j0(x: r._value)}))
    |> map(fn: (r) => ({r with j1: math.j1(x: r._value)}))
    |> drop(columns: ["_start", "_stop"])
