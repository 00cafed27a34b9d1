"""The bench tests' tiny run configuration."""

from __future__ import annotations

import pytest
from bench_expectations import TINY

from tsengine.bench.run import BenchConfig


@pytest.fixture
def tiny(tmp_path) -> BenchConfig:
    return BenchConfig(**TINY, data_dir=tmp_path / "data", command_line=["test"])
