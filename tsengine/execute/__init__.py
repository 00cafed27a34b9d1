"""Query execution: Flux's stream of tables held as Polars frames, and the executor."""
