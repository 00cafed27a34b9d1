import "influxdata/influxdb/v1"

v1.measurementTagValues(bucket: "test", measurement: "mem", tag: "Zone")
