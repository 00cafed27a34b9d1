import "experimental"

import "array"

array.from(
    rows: [
        {
            a: experimental.addDuration(d: 1mo, to: 2024-01-31T12:00:00Z),
            b: experimental.addDuration(d: 1h30m, to: 2024-01-01T00:00:00Z),
            c: experimental.addDuration(d: 1y, to: 2024-02-29T00:00:00Z),
            d: experimental.addDuration(d: 2d, to: -1d),
        },
    ],
)
