import "influxdata/influxdb/schema"

schema.tagValues(bucket: "test", tag: "region", predicate: (r) => r._field == "usage", start: 2024-01-01T00:00:00Z)
