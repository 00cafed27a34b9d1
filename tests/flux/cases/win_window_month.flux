from(bucket: "test")
    |> range(start: 2024-01-15T00:00:00Z, stop: 2024-03-20T00:00:00Z)
    |> window(every: 1mo)
