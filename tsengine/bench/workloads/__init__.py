"""The three workloads of `bench run`: ingest, the query set, and the rollup tasks."""
