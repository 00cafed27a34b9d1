import "experimental"

import "array"

array.from(
    rows: [
        {_measurement: "m", tag: "t1", f0: 10.1, f1: 10.2, _time: 2018-12-01T00:00:00Z},
        {_measurement: "m", tag: "t1", f0: 20.1, f1: 20.2, _time: 2018-12-01T00:00:10Z},
    ],
)
    |> group(columns: ["_measurement"])
    |> experimental.unpivot(otherColumns: ["_time", "tag"])
