import "influxdata/influxdb/schema"

schema.tagValues(bucket: "test", tag: "host", start: 2023-01-01T00:00:00Z)
