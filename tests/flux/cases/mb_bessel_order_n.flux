import "math"

// jn/yn with a constant order, a negative order, and an order that varies by row
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> map(fn: (r) => ({r with j5: math.jn(n: 5, x: r._value)}))
    |> map(fn: (r) => ({r with jm3: math.jn(n: -3, x: r._value)}))
    |> map(fn: (r) => ({r with ym3: math.yn(n: -3, x: r._value)}))
    |> map(fn: (r) => ({r with jrow: math.jn(n: int(v: r._value), x: 2.5)}))
    |> drop(columns: ["_start", "_stop"])
