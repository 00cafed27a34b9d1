"""Packages under `influxdata/`: `influxdata/influxdb/schema` and `influxdata/influxdb/v1`."""
