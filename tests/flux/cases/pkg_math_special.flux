import "math"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            log: math.log10(x: r._value),
            inf: math.isInf(f: math.log(x: r._value), sign: -1),
            nan: math.isNaN(f: math.sqrt(x: r._value)),
            max: math.mMax(x: r._value, y: math.pi),
            bits: math.float64bits(f: r._value),
            e: math.exp(x: r._value),
        }),
    )
