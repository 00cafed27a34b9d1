import "array"

array.from(
    rows: [
        {_time: 2024-01-01T00:00:00Z, _value: 0},
        {_time: 2024-01-01T00:10:00Z, _value: 1},
        {_time: 2024-01-01T00:20:00Z, _value: 2},
        {_time: 2024-01-01T00:30:00Z, _value: 3},
        {_time: 2024-01-01T00:40:00Z, _value: 4},
        {_time: 2024-01-01T00:50:00Z, _value: 5},
    ],
)
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> window(every: 20m)
    |> range(start: 2024-01-01T00:15:00Z, stop: 2024-01-01T00:45:00Z)
    |> count()
