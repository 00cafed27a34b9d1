import "experimental"

import "array"

array.from(rows: experimental.objectKeys(o: {a: 1, b: "x", c: true}) |> array.map(fn: (x) => ({key: x})))
