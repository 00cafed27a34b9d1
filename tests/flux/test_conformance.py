"""Conformance cases: input points, a Flux query, InfluxDB's exact answer as annotated CSV.

Each case is three files under tests/flux/cases/: `<name>.in.lp` (written to bucket "test";
bucket "out" exists too, for `to`), `<name>.flux`, and either `<name>.out.csv` (the expected
annotated CSV, byte for byte) or `<name>.err` (text the error must contain). A case runs three
ways that must all give InfluxDB's answer: with the planner's rules on (data in the hot tier),
with every rule off, and with rules on after compaction moved the data to Parquet. The clock
reads 2024-01-02T00:00:00Z unless the script sets `option now`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tsengine import Engine
from tsengine.errors import TsengineError

CASES = Path(__file__).parent / "cases"
NAMES = sorted(p.name.removesuffix(".flux") for p in CASES.glob("*.flux"))
WAYS = {"pushdown": ((), False), "no-rules": (("all",), False), "parquet": ((), True)}


def _engine(path: Path, clock, name: str, compacted: bool) -> Engine:
    engine = Engine.open(path / "data", clock=clock)
    engine.create_bucket("test")
    engine.create_bucket("out")
    data = CASES / f"{name}.in.lp"
    if data.exists():
        engine.write("test", data.read_text())
    if compacted:
        engine.compact()
    return engine


def test_there_are_enough_cases():
    assert len(NAMES) >= 60, f"only {len(NAMES)} conformance cases"


@pytest.mark.parametrize("way", list(WAYS))
@pytest.mark.parametrize("name", NAMES)
def test_case(name, way, tmp_path, clock):
    disabled, compacted = WAYS[way]
    with _engine(tmp_path, clock, name, compacted) as engine:
        _check(engine, name, disabled)


def _check(engine: Engine, name: str, disabled: tuple[str, ...]) -> None:
    flux = (CASES / f"{name}.flux").read_text()
    expected_error = CASES / f"{name}.err"
    if expected_error.exists():
        with pytest.raises(TsengineError) as raised:
            engine.query_csv(flux, disabled_rules=disabled)
        assert expected_error.read_text().strip() in str(raised.value)
        return
    got = engine.query_csv(flux, disabled_rules=disabled)
    want = (CASES / f"{name}.out.csv").read_text().replace("\r\n", "\n").replace("\n", "\r\n")
    assert got == want, f"\n--- got ---\n{got}\n--- want ---\n{want}"
