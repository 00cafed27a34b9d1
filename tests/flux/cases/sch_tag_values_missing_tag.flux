import "influxdata/influxdb/schema"

schema.tagValues(bucket: "test", tag: "region")
