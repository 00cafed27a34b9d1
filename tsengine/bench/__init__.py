"""Benchmark workloads: deterministic telemetry generation (the harness itself comes later)."""
