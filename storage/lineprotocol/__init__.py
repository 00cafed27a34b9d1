"""InfluxDB line protocol: parsing (vectorized and exact) and canonical formatting."""

from storage.lineprotocol.model import Dropped, FieldType, Point, PointBatch, Segment
from storage.lineprotocol.parse import PRECISIONS, parse, precision_factor

__all__ = [
    "PRECISIONS",
    "Dropped",
    "FieldType",
    "Point",
    "PointBatch",
    "Segment",
    "parse",
    "precision_factor",
]
