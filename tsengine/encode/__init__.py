"""Encoders that turn Flux query results into the bytes InfluxDB 2.x sends back."""
