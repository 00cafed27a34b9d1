import "strings"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            up: strings.toUpper(v: strings.trimSpace(v: r._value)),
            n: strings.strlen(v: r._value),
            i: strings.index(v: r._value, substr: "o"),
            title: strings.title(v: r._value),
        }),
    )
