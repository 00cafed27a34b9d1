import "influxdata/influxdb/schema"

schema.measurements(bucket: "test", start: 2023-12-01T00:00:00Z, stop: 2024-01-01T00:00:00Z)
