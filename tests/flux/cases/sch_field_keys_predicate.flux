import "influxdata/influxdb/schema"

schema.fieldKeys(bucket: "test", predicate: (r) => r.host == "a")
