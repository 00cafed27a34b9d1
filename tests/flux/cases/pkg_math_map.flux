import "math"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            floor: math.floor(x: r._value),
            round: math.round(x: r._value),
            sqrt: math.sqrt(x: r._value),
            pow: math.pow(x: r._value, y: 3.0),
            mod: math.mod(x: r._value, y: 2.0),
        }),
    )
