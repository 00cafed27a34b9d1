"""Random requests against a plain-Python model of InfluxDB's write semantics: types fixed point by
point in line order, a conflicting point dropped whole, identity = measurement + tag set + time,
newest value per field, whatever the mix of hot rows and compactions."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storage import FieldType, FixedClock, Store
from storage.timeutil import DAY

T0 = 1704067200000000000
NOW = T0 + DAY
TIMES = [T0 - DAY, T0, T0 + 1, T0 + DAY - 1, T0 + DAY]
TYPES = [FieldType.FLOAT, FieldType.INTEGER, FieldType.UNSIGNED, FieldType.STRING,
         FieldType.BOOLEAN]


def _value(ftype: FieldType, n: int) -> tuple[str, object]:
    if ftype is FieldType.FLOAT:
        return f"{n}.5", n + 0.5
    if ftype is FieldType.INTEGER:
        return f"{n - 3}i", n - 3
    if ftype is FieldType.UNSIGNED:
        return f"{2**63 + n}u", 2**63 + n
    if ftype is FieldType.STRING:
        return f'"s{n}"', f"s{n}"
    return ("true", True) if n % 2 else ("false", False)


point = st.tuples(
    st.sampled_from(["m1", "m2"]),
    st.dictionaries(st.sampled_from(["a", "b", "c"]), st.sampled_from(["x", "y"]), max_size=2),
    st.sampled_from(TIMES),
    st.dictionaries(st.sampled_from(["f", "g", "h"]),
                    st.tuples(st.sampled_from(TYPES), st.integers(0, 9)), min_size=1, max_size=3),
    st.permutations(range(3)),  # order of the tags in the line
)
request = st.lists(point, min_size=1, max_size=8)
script = st.lists(st.tuples(request, st.booleans()), min_size=1, max_size=5)


def _model_write(model: dict, types: dict, body: list) -> tuple[str, int]:
    """Apply one request to the model; return its line protocol and the points it drops."""
    lines, dropped = [], 0
    for meas, tags, t, fields, order in body:
        keys = sorted(tags)
        keys = [keys[i] for i in order if i < len(keys)]
        key = ",".join([meas, *(f"{k}={tags[k]}" for k in keys)])
        values = {f: _value(ft, n) for f, (ft, n) in fields.items()}
        lines.append(f"{key} {','.join(f'{f}={v[0]}' for f, v in values.items())} {t}")
        known = types.setdefault(meas, {})
        if any(known.get(f, ft) is not ft for f, (ft, _) in fields.items()):
            dropped += 1
            continue
        known.update({f: ft for f, (ft, _) in fields.items()})
        row = model.setdefault((meas, tuple(sorted(tags.items())), t), {})
        row.update({f: (ft, v[1]) for (f, (ft, _)), v in zip(fields.items(), values.values(),
                                                              strict=True)})
    return "\n".join(lines), dropped


def _scanned(store: Store) -> dict:
    out: dict = {}
    for ftype, lf in store.scan("b").items():
        df = lf.with_columns(pl.col("_time").dt.epoch("ns")).collect()
        tags = [c for c in df.columns if c not in ("_time", "_measurement", "_field", "_value")]
        for r in df.iter_rows(named=True):
            key = (r["_measurement"], tuple((k, r[k]) for k in tags if r[k] is not None),
                   r["_time"])
            row = out.setdefault(key, {})
            assert r["_field"] not in row, ("returned twice", key, r["_field"])
            row[r["_field"]] = (ftype, r["_value"])
    return out


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(script)
def test_store_matches_model(tmp_path_factory, steps):
    root: Path = tmp_path_factory.mktemp("model")
    model: dict = {}
    types: dict = {}
    with Store.open(root, clock=FixedClock(NOW)) as store:
        store.create_bucket("b")
        for body, compact in steps:
            text, dropped = _model_write(model, types, body)
            result = store.write("b", text)
            assert (result.written, result.points_dropped) == (len(body) - dropped, dropped)
            assert all(d.kind == "type_conflict" for d in result.dropped)
            if compact:
                store.compact()
            assert _scanned(store) == model
        assert sum(s.points for s in store.stats("b")) == len(model)
        assert {s.name: s.fields for s in store.stats("b")} == {
            m: t for m, t in types.items() if any(k[0] == m for k in model)}
        store.compact()
        assert _scanned(store) == model
        assert sum(p.rows for p in store.catalog.partitions(store.bucket("b").id)) == len(model)
