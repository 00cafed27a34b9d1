import "influxdata/influxdb/schema"

schema.fieldKeys(bucket: "test")
