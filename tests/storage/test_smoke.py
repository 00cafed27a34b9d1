"""End-to-end smoke test of the storage layer: write, scan, compact, export."""

from __future__ import annotations

from storage import FieldType, eq


def test_write_scan_compact_export(store):
    store.create_bucket("b")
    result = store.write("b", "cpu,host=a usage=1.5,n=3i 1704067200000000000\n"
                              "cpu,host=b usage=2 1704067200000000000\n"
                              "cpu,host=a usage=9 1704067200000000000\n")
    assert result.written == 3 and not result.dropped
    before = store.scan("b", predicate=eq("host", "a"))[FieldType.FLOAT].collect()
    assert before["_value"].to_list() == [9.0]
    store.compact()
    after = store.scan("b", predicate=eq("host", "a"))[FieldType.FLOAT].collect()
    assert after.equals(before)
    assert store.hot_rows() == 0
