import "array"

[{v: 1, s: "x"}, {v: 2, s: "y"}] |> array.from()
