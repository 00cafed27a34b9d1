"""Buckets: create, list, rename, change retention, delete; names and retention validated."""

from __future__ import annotations

import os

import pytest

from storage import (
    BucketExists,
    BucketNotFound,
    FieldType,
    InvalidArgument,
    StorageError,
    Store,
    parse_duration,
)
from storage.timeutil import DAY, HOUR, MINUTE

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z, one day before the fixture clock


def test_create_and_list(store):
    a = store.create_bucket("alpha", description="first")
    b = store.create_bucket("beta", retention="30d")
    names = [x.name for x in store.buckets()]
    assert names == ["alpha", "beta"]
    assert a.retention == 0 and a.description == "first"
    assert b.retention == 30 * DAY
    assert len(a.id) == 16 and int(a.id, 16) != 0 and a.id != b.id
    assert store.bucket("beta") == b
    assert store.bucket(b.id) == b  # by id too


def test_rename_keeps_data(store):
    store.create_bucket("old")
    store.write("old", f"m f=1 {T0}")
    renamed = store.update_bucket("old", new_name="new")
    assert renamed.name == "new"
    assert [x.name for x in store.buckets()] == ["new"]
    with pytest.raises(BucketNotFound):
        store.bucket("old")
    frame = store.scan("new")[FieldType.FLOAT].collect()
    assert frame["_value"].to_list() == [1.0]


def test_update_retention_and_description(store, clock):
    store.create_bucket("b")
    clock.set(clock.now() + 5)
    updated = store.update_bucket("b", retention="12h", description="d")
    assert updated.retention == 12 * HOUR
    assert updated.description == "d"
    assert updated.updated_at == clock.now() and updated.created_at < updated.updated_at
    assert store.bucket("b").retention == 12 * HOUR
    assert store.update_bucket("b", retention="0").retention == 0


def test_rename_onto_existing_name_refused(store):
    store.create_bucket("a")
    store.create_bucket("b")
    with pytest.raises(BucketExists):
        store.update_bucket("a", new_name="b")
    assert [x.name for x in store.buckets()] == ["a", "b"]


def test_delete_removes_bucket_and_files(store):
    store.create_bucket("gone")
    store.create_bucket("kept")
    store.write("gone", f"m f=1 {T0}")
    store.write("kept", f"m f=2 {T0}")
    store.compact()
    gone_files = store.plan_scan("gone").files
    assert gone_files
    store.delete_bucket("gone")
    assert [x.name for x in store.buckets()] == ["kept"]
    with pytest.raises(BucketNotFound):
        store.scan("gone")
    assert not any(os.path.exists(p) for p in gone_files)  # the fixture's grace period is 0
    assert store.scan("kept")[FieldType.FLOAT].collect()["_value"].to_list() == [2.0]
    # the name is free again, and the new bucket starts empty
    store.create_bucket("gone")
    assert store.scan("gone") == {}
    assert store.hot_rows() == 0


def test_duplicate_name_refused(store):
    store.create_bucket("b")
    with pytest.raises(BucketExists, match="bucket with name b already exists"):
        store.create_bucket("b")
    assert len(store.buckets()) == 1


@pytest.mark.parametrize("name", ["_system", "_", 'with"quote', "", "   "])
def test_bad_names_refused(store, name):
    with pytest.raises(InvalidArgument):
        store.create_bucket(name)
    assert store.buckets() == []


def test_rename_to_bad_name_refused(store):
    store.create_bucket("b")
    with pytest.raises(InvalidArgument):
        store.update_bucket("b", new_name="_tasks")
    assert store.bucket("b").name == "b"


@pytest.mark.parametrize(("text", "ns"), [
    ("30d", 30 * DAY), ("12h", 12 * HOUR), ("1h30m", HOUR + 30 * MINUTE), ("0", 0),
    ("1h", HOUR), ("2w", 14 * DAY), ("90m", 90 * MINUTE),
])
def test_retention_parsed(store, text, ns):
    assert parse_duration(text) == ns
    assert store.create_bucket("b", retention=text).retention == ns


@pytest.mark.parametrize("text", ["59m", "30m", "1s", "3599s"])
def test_retention_below_one_hour_refused(store, text):
    with pytest.raises(InvalidArgument, match="at least 1h"):
        store.create_bucket("b", retention=text)
    assert store.buckets() == []
    store.create_bucket("ok")
    with pytest.raises(InvalidArgument):
        store.update_bucket("ok", retention=text)
    assert store.bucket("ok").retention == 0


@pytest.mark.parametrize("text", ["", "abc", "1x", "h1", "1h 30m", "-1h", "1.5h"])
def test_bad_retention_text_refused(store, text):
    with pytest.raises(InvalidArgument):
        store.create_bucket("b", retention=text)


def test_unknown_bucket(store):
    with pytest.raises(BucketNotFound, match='bucket "nope" not found'):
        store.write("nope", f"m f=1 {T0}")
    for call in (lambda: store.scan("nope"), lambda: store.plan_scan("nope"),
                 lambda: store.update_bucket("nope", retention="1h"),
                 lambda: store.delete_bucket("nope"), lambda: store.bucket("nope"),
                 lambda: list(store.segments("nope"))):
        with pytest.raises(BucketNotFound):
            call()
    assert issubclass(BucketNotFound, StorageError)


def test_lookups_from_remembered_answers_need_no_lock_and_forget_on_a_change(store):
    """A server's event loop looks buckets up from the catalog's remembered answers alone:
    what a locked lookup read before, until the catalog changes; anything else is
    NotRemembered (the caller then takes the lock)."""
    from storage.errors import NotRemembered

    store.create_bucket("b")
    bucket = store.read_catalog(lambda catalog: catalog.bucket(catalog.org().id, "b"))
    with store._lock:  # held by a writer: the remembered answer does not wait for it
        assert store.read_remembered(
            lambda catalog: catalog.bucket(catalog.org().id, "b")) == bucket
        with pytest.raises(NotRemembered):
            store.read_remembered(lambda catalog: catalog.bucket(catalog.org().id, "other"))
    with pytest.raises(BucketNotFound):  # a remembered miss is an answer too
        store.read_catalog(lambda catalog: catalog.bucket(catalog.org().id, "c"))
    with pytest.raises(BucketNotFound):
        store.read_remembered(lambda catalog: catalog.bucket(catalog.org().id, "c"))
    store.create_bucket("c")  # a change: every remembered answer is forgotten
    with pytest.raises(NotRemembered):
        store.read_remembered(lambda catalog: catalog.bucket(catalog.org().id, "c"))
    assert store.read_catalog(lambda catalog: catalog.bucket(catalog.org().id, "c")).name == "c"


def test_buckets_survive_reopen(tmp_path, clock):
    with Store.open(tmp_path / "d", clock=clock) as s:
        s.create_bucket("a", retention="2d")
    with Store.open(tmp_path / "d", clock=clock) as s:
        assert [(b.name, b.retention) for b in s.buckets()] == [("a", 2 * DAY)]


def test_rename_org_keeps_its_id_and_buckets_and_refuses_a_taken_or_empty_name(store):
    from storage import InvalidArgument

    store.create_bucket("b")
    before = store.org()
    renamed = store.rename_org("default", "acme")
    assert (renamed.id, renamed.name) == (before.id, "acme")
    assert store.org("acme") == renamed and store.org(before.id).name == "acme"
    assert [b.name for b in store.buckets("acme")] == ["b"]
    with pytest.raises(InvalidArgument, match="must not be empty"):
        store.rename_org("acme", " ")
    assert store.rename_org(before.id, "acme").name == "acme"  # its own name is not taken
