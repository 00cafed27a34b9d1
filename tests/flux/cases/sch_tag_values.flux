import "influxdata/influxdb/schema"

schema.tagValues(bucket: "test", tag: "host")
