import "influxdata/influxdb/v1"

v1.tagValues(bucket: "test", tag: "host")
