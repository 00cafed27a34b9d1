import "array"

array.from(
    rows: [
        {_time: 2024-01-01T00:00:00Z, host: "a", _value: 1.0},
        {_time: 2024-01-01T00:00:00Z, host: "b", _value: 2.0},
        {_time: 2024-01-01T00:10:00Z, host: "a", _value: 3.0},
        {_time: 2024-01-01T00:20:00Z, host: "b", _value: 4.0},
    ],
)
    |> group(columns: ["host"])
    |> range(start: 2024-01-01T00:05:00Z, stop: 2024-01-01T01:00:00Z)
