import "influxdata/influxdb/schema"

schema.measurementTagValues(bucket: "test", measurement: "cpu", tag: "host")
