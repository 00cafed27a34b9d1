"""Packages under `internal/`: the parts of upstream's internal packages that its test files
import (`internal/debug`, `internal/testing`, `internal/influxql`)."""
