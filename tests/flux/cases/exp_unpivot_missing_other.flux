import "experimental"

import "array"

array.from(rows: [{_time: 2018-12-01T00:00:00Z, a: 1.0}])
    |> experimental.unpivot(otherColumns: ["nope"])
