from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> histogram(bins: logarithmicBins(start: 1.0, factor: 2.0, count: 4, infinity: false))
