"""InfluxDB's functions available without an import: `from` and `to`."""

from tsengine.execute import aggregate_read, pivot_read, source  # noqa: F401  (storage reads)
from tsengine.stdlib.influxdb import from_, to  # noqa: F401
