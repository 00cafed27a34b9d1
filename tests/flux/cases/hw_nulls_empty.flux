// host a: the leading null temp is skipped, the null at 00:02 is a null bucket;
// host b has one bucket: an empty table (rows sorted: pivot leaves them in arrival order)
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> filter(fn: (r) => r._measurement == "weather")
    |> pivot(rowKey: ["_time"], columnKey: ["_field"], valueColumn: "_value")
    |> sort(columns: ["_time"])
    |> holtWinters(n: 2, interval: 1m, column: "temp")
