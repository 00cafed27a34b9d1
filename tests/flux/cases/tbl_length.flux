import "array"

array.from(rows: [{a: length(arr: [1, 2, 3]), b: length(arr: []), c: ["x", "y"] |> length()}])
