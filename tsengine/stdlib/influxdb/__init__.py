"""InfluxDB's functions available without an import: `from` and `to`."""

from tsengine.execute import source  # noqa: F401  (implements the storage reads from() plans)
from tsengine.stdlib.influxdb import from_, to  # noqa: F401
