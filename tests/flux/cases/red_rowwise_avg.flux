// avg reads the other properties of the accumulator: evaluated row by row
from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "t")
    |> reduce(
        fn: (r, accumulator) => ({
            count: accumulator.count + 1,
            sum: accumulator.sum + r._value,
            avg: (accumulator.sum + r._value) / float(v: accumulator.count + 1),
            s: accumulator.s + r._field,
        }),
        identity: {count: 0, sum: 0.0, avg: 0.0, s: ">"},
    )
