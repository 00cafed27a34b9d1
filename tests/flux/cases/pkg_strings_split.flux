import "strings"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => {
            parts = strings.split(v: r._value, t: ",")

            return {
                _time: r._time,
                first: parts[0],
                joined: strings.joinStr(arr: strings.splitAfterN(v: r._value, t: ",", i: 2), v: "|"),
                sub: strings.substring(v: r._value, start: 1, end: 4),
                rep: strings.replace(v: r._value, t: ",", u: ";", i: 1),
            }
        },
    )
