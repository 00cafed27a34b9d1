import "experimental"

import "array"

array.from(
    rows: [
        {
            a: experimental.subDuration(d: 1mo, from: 2024-03-31T00:00:00Z),
            b: experimental.subDuration(d: 1h, from: 2024-01-01T00:00:00Z),
            c: experimental.subDuration(d: 1mo1d, from: 2024-03-01T00:00:00Z),
        },
    ],
)
