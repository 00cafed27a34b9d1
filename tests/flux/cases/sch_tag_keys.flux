import "influxdata/influxdb/schema"

schema.tagKeys(bucket: "test")
