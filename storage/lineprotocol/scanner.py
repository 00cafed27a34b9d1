"""The exact line-protocol parser: one line at a time, every rule of InfluxDB 2.x, precise errors.

It is the reference for the vectorized path (`fast.py`) and handles every line that path declines.
Scanning follows InfluxDB's models/points.go: a character preceded by a backslash is escaped, keys
are unescaped afterwards, and string field values unescape only `\\"` and `\\\\`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from storage.lineprotocol.model import FieldType

MAX_KEY_LENGTH = 65535
MIN_TIME = -9223372036854775806
MAX_TIME = 9223372036854775806
RESERVED_TAG_KEYS = ("_measurement", "_field", "time")
_WHITESPACE = " \t\0"
_BOOLEANS = {
    "t": True, "T": True, "true": True, "True": True, "TRUE": True,
    "f": False, "F": False, "false": False, "False": False, "FALSE": False,
}
# ASCII digits only: Python's \d, int() and float() also take other scripts' digits; InfluxDB not
_INT = re.compile(r"-?[0-9]+i")
_UINT = re.compile(r"[0-9]+u")
_FLOAT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_TIMESTAMP = re.compile(r"-?[0-9]+")
_STRING_ESCAPE = re.compile(r'\\([\\"])')


@dataclass(frozen=True)
class ScannedPoint:
    """A point as written on its line: tags and fields in line order, time in nanoseconds."""

    measurement: str
    tags: list[tuple[str, str]]
    fields: list[tuple[str, FieldType, object]]
    time: int
    has_time: bool
    raw_field_keys: tuple[str, ...] = ()

    @property
    def dropped_time_field(self) -> bool:
        """InfluxDB 2.x drops a field named `time`; a point left without fields is rejected."""
        return "time" in self.raw_field_keys


class ScanError(Exception):
    """A line is malformed at `column` (0-based here; reported 1-based)."""

    def __init__(self, column: int, message: str) -> None:
        super().__init__(message)
        self.column = column
        self.message = message


def unescape_measurement(raw: str) -> str:
    """Measurement names unescape commas and spaces only."""
    if "\\" not in raw:
        return raw
    return raw.replace("\\,", ",").replace("\\ ", " ")


def unescape_key(raw: str) -> str:
    """Tag keys, tag values and field keys unescape commas, equals signs and spaces."""
    if "\\" not in raw:
        return raw
    return raw.replace("\\,", ",").replace("\\=", "=").replace("\\ ", " ")


def _escaped(s: str, i: int) -> bool:
    return i > 0 and s[i - 1] == "\\"


def open_quote_at_end(line: str) -> bool:
    """Whether a raw line ends inside a quoted string field value, so the next line continues it."""
    i = _skip(line, 0)
    n = len(line)
    in_fields = quoted = False
    equals = commas = 0
    while i < n:
        c = line[i]
        if c == "\\":
            i += 2
            continue
        if c == " ":
            in_fields = True
        if in_fields:
            if not quoted and c == "=":
                equals += 1
            elif not quoted and c == ",":
                commas += 1
            elif c == '"' and equals > commas:
                quoted = not quoted
        i += 1
    return quoted


def _skip(s: str, i: int) -> int:
    while i < len(s) and s[i] in _WHITESPACE:
        i += 1
    return i


def scan_point(s: str, default_time: int, factor: int) -> ScannedPoint:
    """Parse one line (without its newline); raise ScanError with the column of the problem."""
    start = _skip(s, 0)
    measurement, i, has_tags = _scan_measurement(s, start)
    tags: list[tuple[str, str]] = []
    if has_tags:
        i = _scan_tags(s, i, tags)
    if i - start > MAX_KEY_LENGTH // 4 and len(s[start:i].encode()) > MAX_KEY_LENGTH:
        size = len(s[start:i].encode())
        raise ScanError(start, f"max key length exceeded: {size} > {MAX_KEY_LENGTH}")
    fields, i, raw_keys = _scan_fields(s, i)
    time, has_time = _scan_time(s, i, default_time, factor)
    return ScannedPoint(measurement, tags, fields, time, has_time, raw_keys)


def _scan_measurement(s: str, i: int) -> tuple[str, int, bool]:
    n = len(s)
    if i >= n or s[i] == ",":
        raise ScanError(i, "missing measurement")
    start = j = i
    while True:
        j += 1
        if j >= n:
            name = unescape_measurement(s[start:j])
            raise ScanError(j, f'missing fields: expected a space and a field set after "{name}"')
        if _escaped(s, j):
            continue
        if s[j] == ",":
            return unescape_measurement(s[start:j]), j + 1, True
        if s[j] == " ":
            return unescape_measurement(s[start:j]), j, False


def _scan_tags(s: str, i: int, tags: list[tuple[str, str]]) -> int:
    """Scan `k=v[,k=v...]` up to the space before the fields; return that space's index."""
    n = len(s)
    seen: set[str] = set()
    while True:
        if i >= n or s[i] in " ,=":
            raise ScanError(i, "missing tag key")
        k = i
        while True:
            k += 1
            if k >= n or (s[k] in " ," and not _escaped(s, k)):
                key = unescape_key(s[i:k])
                raise ScanError(k, f'expected \'=\' after tag key "{key}"')
            if s[k] == "=" and not _escaped(s, k):
                break
        key = unescape_key(s[i:k])
        if key in RESERVED_TAG_KEYS:
            raise ScanError(i, f'cannot use reserved tag key "{key}"')
        if key in seen:
            raise ScanError(i, f'duplicate tags: tag key "{key}" appears twice')
        seen.add(key)
        v = k + 1
        if v >= n or s[v] in ", ":
            raise ScanError(v, f'missing tag value for tag key "{key}"')
        j = v
        while True:
            j += 1
            if j >= n:
                raise ScanError(j, "missing fields: expected a space and fields after the tags")
            if _escaped(s, j):
                continue
            if s[j] == "=":
                raise ScanError(j, f'invalid tag format: unescaped \'=\' in tag value of "{key}"')
            if s[j] in ", ":
                break
        tags.append((key, unescape_key(s[v:j])))
        if s[j] == " ":
            return j
        i = j + 1


def _scan_fields(
    s: str, i: int
) -> tuple[list[tuple[str, FieldType, object]], int, tuple[str, ...]]:
    """Scan the field set; return the fields (last of a repeated key wins, `time` dropped), the
    index just past the set and the keys as written."""
    n = len(s)
    i = _skip(s, i)
    if i >= n:
        raise ScanError(i, "missing fields")
    fields: dict[str, tuple[FieldType, object]] = {}
    raw_keys: list[str] = []
    while True:
        if i >= n or s[i] in "=, ":
            raise ScanError(i, "missing field key")
        k = i
        while True:
            if k >= n or (s[k] in " ," and not _escaped(s, k)):
                key = unescape_key(s[i:k])
                raise ScanError(k, f'expected \'=\' after field key "{key}"')
            if s[k] == "=" and not _escaped(s, k):
                break
            k += 1
        key = unescape_key(s[i:k])
        raw_keys.append(key)
        ftype, value, i = _scan_value(s, k + 1, key)
        fields.pop(key, None)
        fields[key] = (ftype, value)
        if i >= n or s[i] == " ":
            break
        i += 1  # the comma before the next field
    fields.pop("time", None)
    return [(k, t, v) for k, (t, v) in fields.items()], i, tuple(raw_keys)


def _scan_value(s: str, i: int, key: str) -> tuple[FieldType, object, int]:
    n = len(s)
    if i >= n or s[i] in ", ":
        raise ScanError(i, f'missing field value for field key "{key}"')
    c = s[i]
    if c == '"':
        j = i + 1
        while j < n:
            if s[j] == "\\" and j + 1 < n:
                j += 2
                continue
            if s[j] == '"':
                break
            j += 1
        if j >= n:
            raise ScanError(i, f'unbalanced quotes: string value of field "{key}" is not closed')
        end = j + 1
        if end < n and s[end] not in ", ":
            raise ScanError(end, f'expected \',\' or \' \' after the string value of field "{key}"')
        return FieldType.STRING, _STRING_ESCAPE.sub(r"\1", s[i + 1 : j]), end
    end = i
    while end < n and s[end] not in ", ":
        end += 1
    token = s[i:end]
    if c in "0123456789.-Nn":
        return (*_number(token, i, key), end)
    if token in _BOOLEANS:
        return FieldType.BOOLEAN, _BOOLEANS[token], end
    raise ScanError(i, f'invalid boolean "{token}" for field "{key}"')


def _number(token: str, col: int, key: str) -> tuple[FieldType, object]:
    if _INT.fullmatch(token):
        value = int(token[:-1])
        if not -(2**63) <= value < 2**63:
            raise ScanError(col, f'unable to parse integer {token[:-1]}: value out of range')
        return FieldType.INTEGER, value
    if _UINT.fullmatch(token):
        value = int(token[:-1])
        if value >= 2**64:
            raise ScanError(col, f"unable to parse unsigned {token[:-1]}: value out of range")
        return FieldType.UNSIGNED, value
    if _FLOAT.fullmatch(token):
        value = float(token)
        if value in (float("inf"), float("-inf")):
            raise ScanError(col, f'invalid float "{token}" for field "{key}": value out of range')
        return FieldType.FLOAT, value
    if token.lstrip("-").lower() in ("nan", "inf", "infinity"):
        raise ScanError(col, f'{token} is an unsupported value for field "{key}"')
    raise ScanError(col, f'invalid number "{token}" for field "{key}"')


def _scan_time(s: str, i: int, default_time: int, factor: int) -> tuple[int, bool]:
    n = len(s)
    i = _skip(s, i)
    start = i
    while i < n and s[i] != " ":
        i += 1
    token = s[start:i]
    if not token:
        return default_time, False
    if not _TIMESTAMP.fullmatch(token):
        raise ScanError(start, f'bad timestamp "{token}": expected an integer')
    rest = i
    while rest < n and s[rest] == " ":
        rest += 1
    if rest < n:
        raise ScanError(rest, "unexpected text after the timestamp")
    value = int(token) * factor
    if not MIN_TIME <= value <= MAX_TIME:
        raise ScanError(start, f"bad timestamp {token}: out of range")
    return value, True
