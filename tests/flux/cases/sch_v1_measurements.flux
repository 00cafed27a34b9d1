import "influxdata/influxdb/v1"

v1.measurements(bucket: "test")
