import "influxdata/influxdb/schema"

schema.measurementFieldKeys(bucket: "test", measurement: "cpu")
