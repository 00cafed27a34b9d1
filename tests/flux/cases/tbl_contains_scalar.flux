import "array"

array.from(
    rows: [
        {
            int: contains(value: 1, set: [1, 2]),
            str: contains(value: "x", set: ["a"]),
            float: contains(value: 2.5, set: [1.5, 2.5]),
            empty: contains(value: "x", set: []),
        },
    ],
)
