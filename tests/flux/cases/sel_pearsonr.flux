x = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> filter(fn: (r) => r._measurement == "a")
y = from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> filter(fn: (r) => r._measurement == "b")

pearsonr(x: x, y: y, on: ["_time", "t"])
