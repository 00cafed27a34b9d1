"""The `join` package: `join.tables` and its shorthands inner, left, right, full and time."""
