// Flux's own mean (after set, not pushed) adds a few values one after another as well
from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> set(key: "unit", value: "%")
    |> mean()
