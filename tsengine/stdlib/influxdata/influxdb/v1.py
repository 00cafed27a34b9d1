"""Package `influxdata/influxdb/v1`: the schema functions under their older names, as upstream
keeps them for backwards compatibility (`v1.json` and `v1.databases` are not supported)."""

from __future__ import annotations

from tsengine.flux.registry import REGISTRY

REGISTRY.define_in_flux("""
import "influxdata/influxdb/schema"

fieldsAsCols = schema.fieldsAsCols
tagValues = schema.tagValues
measurementTagValues = schema.measurementTagValues
tagKeys = schema.tagKeys
measurementTagKeys = schema.measurementTagKeys
fieldKeys = schema.fieldKeys
measurementFieldKeys = schema.measurementFieldKeys
measurements = schema.measurements
""", package="influxdata/influxdb/v1")
