// the accumulator sets the key column host: the tables' keys change
from(bucket: "test") |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "mem")
    |> reduce(fn: (r, accumulator) => ({host: r.host + "!", n: accumulator.n + 1}), identity: {host: "", n: 0})
