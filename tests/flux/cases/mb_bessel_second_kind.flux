import "math"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> map(fn: (r) => ({r with y0: math.y0(x: r._value)}))
    |> map(fn: (r) => ({r with y1: math.y1(x: r._value)}))
    |> drop(columns: ["_start", "_stop"])
