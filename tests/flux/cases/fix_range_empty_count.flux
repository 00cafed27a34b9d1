import "array"

array.from(
    rows: [
        {_time: 2024-01-01T00:00:00Z, t: "a", _value: 1},
        {_time: 2024-01-01T00:10:00Z, t: "a", _value: 2},
        {_time: 2024-01-01T02:00:00Z, t: "b", _value: 3},
    ],
)
    |> group(columns: ["t"])
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> count()
