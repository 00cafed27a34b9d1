"""timeShift (calendar months, key values, errors) and truncateTimeColumn (epoch-aligned, a
row-wise map's column order, merging on a key `_time`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from helpers import both, write_bucket

from tsengine.errors import FluxRuntimeError

T0 = 1706659200000000000  # 2024-01-31T00:00:00Z
S = 10**9
RANGE = 'from(bucket: "b") |> range(start: 2024-01-31T00:00:00Z, stop: 2024-02-01T00:00:00Z)'


@pytest.fixture
def engine(engine):
    return write_bucket(engine, [f"m,host=a v={v}i {T0 + t * S}"
                                 for v, t in [(1, 0), (2, 70), (3, 3600)]])


def test_months_clamp_to_the_month_end_and_keys_shift(engine):
    (table,) = both(engine, RANGE + " |> timeShift(duration: 1mo1h)", "_time")
    assert table[2][0] == datetime(2024, 2, 29, 1, tzinfo=UTC)
    assert table[0]["_stop"].ns > table[0]["_start"].ns


def test_only_listed_time_columns(engine):
    (table,) = both(engine, RANGE + ' |> timeShift(duration: -10s, columns: ["_time", "x"])',
                    "_time")
    assert table[2][0] == datetime(2024, 1, 30, 23, 59, 50, tzinfo=UTC)
    with pytest.raises(FluxRuntimeError, match='column "host" is not of type time'):
        engine.query(RANGE + ' |> timeShift(duration: 1s, columns: ["host"])')


def test_truncate_time_column(engine):
    (table,) = both(engine, RANGE + " |> truncateTimeColumn(unit: 1m)", "_time")
    assert [t.minute for t in table[2]] == [0, 1, 0] and table[1] == sorted(table[1])
    (merged,) = both(engine, RANGE + ' |> group(columns: ["_time"]) |> truncateTimeColumn('
                                     "unit: 1d) |> sort(columns: [\"_value\"])")
    assert merged[2] == [1, 2, 3]
