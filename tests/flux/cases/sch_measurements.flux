import "influxdata/influxdb/schema"

schema.measurements(bucket: "test")
