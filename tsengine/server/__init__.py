"""The InfluxDB v2 HTTP API over an Engine, so `influxdb-client` and line-protocol writers work
unchanged: `create_app` builds the ASGI app, `tsengine serve` runs it on uvicorn."""
