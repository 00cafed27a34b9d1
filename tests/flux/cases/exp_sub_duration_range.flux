import "experimental"

from(bucket: "test")
    |> range(start: experimental.subDuration(d: 1d, from: now()))
    |> filter(fn: (r) => r.host == "b")
