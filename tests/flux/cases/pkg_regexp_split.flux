import "regexp"

sep = regexp.compile(v: "\\s*,\\s*")

from(bucket: "test")
    |> range(start: 2024-01-01T00:00:00Z, stop: 2024-01-01T01:00:00Z)
    |> keep(columns: ["_time", "_value"])
    |> map(
        fn: (r) => ({
            _time: r._time,
            first: regexp.splitRegexp(r: sep, v: r._value, i: -1)[0],
            at: regexp.findStringIndex(r: /[a-z]+/, v: r._value)[1],
            quoted: regexp.quoteMeta(v: r._value),
            pattern: regexp.getString(r: sep),
        }),
    )
