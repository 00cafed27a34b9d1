"""The `timezone` package: location records `{zone, offset}` for date functions and windows.

`utc` and `fixed(offset:)` are written in Flux, as upstream; `location(name:)` checks that
the IANA zone exists (Python's zoneinfo, with the tzdata package) and gives it no offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tsengine.flux.operators import OperatorError
from tsengine.flux.registry import REGISTRY, builtin
from tsengine.flux.values import Duration, Record, type_name

PKG = "timezone"


@cache
def zone(name: str) -> ZoneInfo:
    """An IANA zone by name; OperatorError if there is none."""
    try:
        if not name or name.startswith(("/", ".")) or ".." in name:
            raise ValueError(name)
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise OperatorError(f"unknown time zone {name}") from None


@builtin("location", package=PKG)
def location(ctx: Any, name: Any) -> Record:
    if not isinstance(name, str):
        raise OperatorError(f'keyword argument "name" should be of kind string, but got '
                            f"{type_name(name)}")
    zone(name)
    return Record({"zone": name, "offset": Duration()})


REGISTRY.define_in_flux("""
utc = {zone: "UTC", offset: 0h}
fixed = (offset) => ({zone: utc.zone, offset: offset})
""", package=PKG)


# -- clock arithmetic (upstream's zoneinfo FromLocalClock / ToLocalClock) -----------------------
_NS = 1_000_000_000


def _offset_at(tz: ZoneInfo, sec: int) -> int:
    """The zone's UTC offset (s) at an instant (s since the epoch)."""
    when = datetime.fromtimestamp(sec, UTC).astimezone(tz)
    offset = when.utcoffset()
    return 0 if offset is None else int(offset.total_seconds())


def local_clock(tz: ZoneInfo, utc_ns: int) -> int:
    """The wall clock in the zone at an instant, as a UTC time of the same reading."""
    return utc_ns + _offset_at(tz, utc_ns // _NS) * _NS


def from_local_clock(tz: ZoneInfo, local_ns: int) -> int:
    """The instant a wall clock reading in the zone names: the earliest where it is
    ambiguous, the transition itself where the clock skips it."""
    sec = local_ns // _NS
    naive = datetime(1970, 1, 1) + timedelta(seconds=sec)
    candidates = []
    for fold in (0, 1):
        offset = naive.replace(tzinfo=tz, fold=fold).utcoffset()
        utc = sec - (0 if offset is None else int(offset.total_seconds()))
        if utc + _offset_at(tz, utc) == sec:
            candidates.append(utc)
    if candidates:
        return local_ns - (sec - min(candidates)) * _NS
    # a reading skipped by a transition: the transition, between the two readings
    lo, hi = sorted(sec - int(naive.replace(tzinfo=tz, fold=f).utcoffset().total_seconds())
                    for f in (0, 1))  # type: ignore[union-attr]
    before = _offset_at(tz, lo)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (mid, hi) if _offset_at(tz, mid) == before else (lo, mid)
    return hi * _NS


def location_parts(function: str, location: Any) -> tuple[str, Duration]:
    """A location record's zone name and offset, checked as upstream checks them."""
    if not isinstance(location, Record):
        raise OperatorError(f"{function}: location must be a record, found "
                            f"{type_name(location)}")
    if "zone" not in location:
        raise OperatorError("zone property missing from location record")
    name = location["zone"]
    if name is not None and not isinstance(name, str):
        raise OperatorError(f"zone property for location must be of type string, got "
                            f"{type_name(name)}")
    offset = location.get("offset", Duration())
    if not isinstance(offset, Duration):
        raise OperatorError(f"offset property for location must be of type duration, got "
                            f"{type_name(offset)}")
    return name or "UTC", offset
