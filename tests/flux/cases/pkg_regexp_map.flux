import "regexp"

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            num: regexp.findString(r: /\d+/, v: r._value),
            user: regexp.replaceAllString(r: /user=(\w+).*/, v: r._value, t: "$1"),
            has: regexp.matchRegexpString(r: /\d$/, v: r._value),
        }),
    )
