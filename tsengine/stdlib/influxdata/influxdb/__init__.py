"""Packages under `influxdata/influxdb/` (the universe `from`/`to` live in stdlib/influxdb)."""
