"""Benchmark set-up: datasets, and a summary of each tsengine figure as a ratio to its baseline
measured in the same run."""

from __future__ import annotations

import itertools
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tsengine import Engine

sys.path.insert(0, str(Path(__file__).parent))

from datasets import INGEST_SPEC, csv_file, line_protocol_file  # noqa: E402
from test_small_writes import REQUESTS, SIZES  # noqa: E402

# benchmark name -> (baseline benchmark name, points it handles)
RATIOS = {"test_ingest_tsengine": ("test_ingest_duckdb_csv_baseline", INGEST_SPEC.points)}
RATIOS.update({f"test_query_tsengine[{q}]": (f"test_query_duckdb_baseline[{q}]", INGEST_SPEC.points)
               for q in ("window_mean", "window_mean_location", "last")})
RATIOS.update({f"test_small_writes_tsengine[{n}]": (f"test_small_writes_duckdb_baseline[{n}]",
                                                    REQUESTS * n) for n in SIZES})
# benchmark name -> (its label, the other benchmark's name, its label, points both handle):
# a figure shown beside another tsengine figure of the same run, both in points/s
BESIDE = {"test_http_ingest": ("HTTP ingest (2 clients, 5,000-line batches)",
                               "test_ingest_tsengine", "library ingest", INGEST_SPEC.points)}


@pytest.fixture(scope="session")
def lp_path() -> Path:
    return line_protocol_file()


@pytest.fixture(scope="session")
def csv_path() -> Path:
    return csv_file()


def _scratch() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="tsengine-bench-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def scratch() -> Iterator[Path]:
    """A new directory for one benchmark's data, removed after it: its rounds write hundreds
    of MB, which /tmp kept run after run before."""
    yield from _scratch()


@pytest.fixture(scope="module")
def module_scratch() -> Iterator[Path]:
    """`scratch` for a module's data, shared by its benchmarks."""
    yield from _scratch()


@pytest.fixture
def new_engine(scratch: Path) -> Callable[[], tuple[tuple[Engine], dict]]:
    """A benchmark round's setup: an engine on a new data directory, with bucket `telemetry`."""
    rounds = itertools.count()

    def setup() -> tuple[tuple[Engine], dict]:
        engine = Engine.open(scratch / f"data-{next(rounds)}")
        engine.create_bucket("telemetry")
        return (engine,), {}

    return setup


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ARG001
    session = getattr(config, "_benchmarksession", None)
    if session is None or not session.benchmarks:
        return
    medians = {b.name: b.stats.median for b in session.benchmarks if b.stats}
    terminalreporter.write_sep("-", "tsengine vs. baselines (same run, medians)")
    for name, (base, points) in RATIOS.items():
        if name in medians and base in medians:
            ratio = medians[name] / medians[base]
            terminalreporter.write_line(
                f"{name}: {medians[name]:.3f} s ({points / medians[name]:,.0f} points/s); "
                f"{base}: {medians[base]:.3f} s ({points / medians[base]:,.0f} points/s); "
                f"ratio {ratio:.2f}x"
            )
    for name, (label, other, other_label, points) in BESIDE.items():
        if name in medians and other in medians:
            terminalreporter.write_line(
                f"{label}: {points / medians[name]:,.0f} points/s; "
                f"{other_label}: {points / medians[other]:,.0f} points/s; "
                f"ratio {medians[name] / medians[other]:.2f}x (its time / {other_label} time)"
            )
