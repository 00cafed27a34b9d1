import "array"

array.from(
    rows: [
        {_time: 2024-01-01T00:00:00Z, name: "a", n: 1, x: 1.5, ok: true},
        {_time: 2024-01-01T00:01:00Z, name: "b", n: -2, x: 2.0, ok: false},
    ],
)
