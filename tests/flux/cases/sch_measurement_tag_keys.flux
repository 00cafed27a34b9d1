import "influxdata/influxdb/schema"

schema.measurementTagKeys(bucket: "test", measurement: "cpu")
