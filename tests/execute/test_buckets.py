"""buckets(): the organization's buckets, one table without a group key."""

from __future__ import annotations

import pytest

from tsengine.errors import FluxRuntimeError


def test_buckets_lists_names_ids_and_retention(engine):
    engine.create_bucket("raw", retention="1d")
    engine.create_bucket("agg")
    (table,) = engine.query("buckets()")["_result"]
    assert table.key_record() == {}
    assert table.frame.columns == ["name", "id", "organizationID", "retentionPolicy",
                                   "retentionPeriod"]
    rows = table.frame.select("name", "retentionPolicy", "retentionPeriod").rows()
    assert rows == [("agg", "", 0), ("raw", "", 86_400 * 10**9)]
    assert set(table.frame["id"]) == {engine.store.bucket(n).id for n in ("agg", "raw")}


def test_buckets_can_be_filtered_like_any_stream(engine):
    engine.create_bucket("raw")
    engine.create_bucket("agg")
    csv = engine.query_csv('buckets() |> filter(fn: (r) => r.name == "raw")'
                           ' |> keep(columns: ["name"])')
    assert csv.replace("\r", "").splitlines()[3:5] == [",result,table,name", ",,0,raw"]


def test_an_unknown_organization_is_an_error(engine):
    with pytest.raises(FluxRuntimeError, match='buckets: organization "nope" not found'):
        engine.query('buckets(org: "nope")')
