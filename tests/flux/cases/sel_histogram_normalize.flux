from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-02T00:00:00Z)
    |> histogram(bins: linearBins(start: 1.0, width: 2.0, count: 3), normalize: true, upperBoundColumn: "ub", countColumn: "n")
