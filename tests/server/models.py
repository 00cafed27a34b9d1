"""Responses read the way influxdb-client reads them."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import httpx
from influxdb_client._sync.api_client import ApiClient


def model(response: httpx.Response, klass: str) -> Any:
    """The response as influxdb-client turns it into its model (raises on a missing field)."""
    return ApiClient().deserialize(SimpleNamespace(data=response.text), klass)
