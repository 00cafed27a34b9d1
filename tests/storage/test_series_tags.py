"""A wide read can give tags as a table of its numbered series instead of columns of every
row: the same tag values a row's own columns hold, numbered as the rows are across files,
and the rows themselves without tag columns."""

from __future__ import annotations

from storage import WideRead

T0 = 1704067200000000000  # 2024-01-01T00:00:00Z
SEC = 10**9
DAY = 86400 * SEC


def _tags_by_row(store, **kwargs) -> list[tuple]:
    """(series number, tags) of each row, from its columns or from the series table."""
    out = []
    for w in store.scan_wide("b", T0, T0 + 3 * DAY, **kwargs):
        rows = w.frame.collect()
        if w.series_tags is None:
            out += rows.select(WideRead.SERIES_COLUMN, *w.tags).rows()
        else:
            assert not set(w.tags) & set(rows.columns)
            joined = rows.select(WideRead.SERIES_COLUMN).join(
                w.series_tags, on=WideRead.SERIES_COLUMN, how="left", maintain_order="left")
            out += joined.select(WideRead.SERIES_COLUMN, *w.tags).rows()
    return out


def test_series_tags_hold_each_rows_tag_values(store):
    store.create_bucket("b")
    lines = [f"m,a=a{s % 3},b=b{s} v={s}i {T0 + d * DAY + i * SEC}"
             for d in range(2) for s in range(5) for i in range(3)]
    lines.append(f"m,a=solo v=1i {T0 + 2 * SEC}")  # a series without tag b
    store.write("b", "\n".join(lines) + "\n")
    store.compact()
    store.write("b", f"m,a=late,b=x v=1i {T0 + 2 * DAY}\n")
    store.compact(full=False)
    assert len(store.catalog.partitions(store.bucket("b").id)) == 3  # three days, three files
    by_columns = _tags_by_row(store)
    (wide,) = store.scan_wide("b", T0, T0 + 3 * DAY, tags_by_series=True)
    assert wide.series_tags is not None and wide.series_tags.height == 5 + 1 + 5 + 1
    assert wide.series_tags.get_column(WideRead.SERIES_COLUMN).is_sorted()
    assert _tags_by_row(store, tags_by_series=True) == by_columns
    assert ("solo", None) in {r[1:] for r in by_columns}


def test_rows_of_the_hot_tier_keep_their_tag_columns(store):
    store.create_bucket("b")
    store.write("b", f"m,a=x v=1i {T0}\n")
    (wide,) = store.scan_wide("b", T0, T0 + DAY, tags_by_series=True)
    assert wide.series_tags is None and not wide.numbered
    assert wide.frame.collect().get_column("a").to_list() == ["x"]


def test_only_the_asked_tags(store):
    store.create_bucket("b")
    store.write("b", f"m,a=x,b=y v=1i {T0}\nm,a=x,b=z v=2i {T0}\n")
    store.compact()
    (wide,) = store.scan_wide("b", T0, T0 + DAY, tags=["b"], tags_by_series=True)
    assert wide.series_tags is not None
    assert wide.series_tags.columns == [WideRead.SERIES_COLUMN, "b"]
    assert wide.series_tags.get_column("b").to_list() == ["y", "z"]
    assert wide.frame.collect().columns == ["time", "f:v", WideRead.SERIES_COLUMN]


def test_the_cache_keeps_a_bounded_number_of_series(store, monkeypatch):
    from storage import series_tags

    monkeypatch.setattr(series_tags, "_CACHED_SERIES", 3)
    monkeypatch.setattr(series_tags, "_cache", type(series_tags._cache)())
    monkeypatch.setattr(series_tags, "_cached", 0)
    store.create_bucket("b")
    store.write("b", "".join(f"m,s=s{i} v=1i {T0 + d * DAY}\n" for d in range(2)
                             for i in range(2)))
    store.compact()
    for _ in range(2):  # two files of two series each: the first is let go for the second
        (wide,) = store.scan_wide("b", T0, T0 + 2 * DAY, tags_by_series=True)
        assert wide.series_tags.get_column("s").to_list() == ["s0", "s1", "s0", "s1"]
        assert series_tags._cached <= 3 and len(series_tags._cache) == 1
