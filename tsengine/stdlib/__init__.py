"""The Flux standard library: one module per builtin, registered into `REGISTRY` on import."""

from tsengine.stdlib import influxdb, universe  # noqa: F401  (registers the builtins)
