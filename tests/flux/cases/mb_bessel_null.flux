import "math"

// a null x (the pivot's missing x at 00:01) gives null; scalar calls outside map too
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    |> sort(columns: ["_time"])
    |> map(fn: (r) => ({r with j0: math.j0(x: r.x)}))
    |> map(fn: (r) => ({r with yn: math.yn(n: r.y, x: r.x)}))
    |> map(fn: (r) => ({r with c: math.jn(n: 2, x: 1.5) + math.y1(x: 4.0)}))
    |> drop(columns: ["_start", "_stop"])
