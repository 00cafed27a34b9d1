"""Benchmark workloads: deterministic telemetry generation (`generate`) and the harness of
`tsengine bench run` (`run.run_bench`: targets, workloads, baseline, results, report)."""
