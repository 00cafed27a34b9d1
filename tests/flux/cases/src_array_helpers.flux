import "array"

array.from(
    rows:
        [1, 2, 3, 4]
            |> array.concat(v: [5, 6])
            |> array.filter(fn: (x) => x % 2 == 0)
            |> array.map(fn: (x) => ({_value: x * 10})),
)
