// label literals (`.name`) evaluate to their names: a column list written with them
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._field == "x")
    |> keep(columns: [._time, ._value, ."host"])
