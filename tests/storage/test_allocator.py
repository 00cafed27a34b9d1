"""The allocator policy reaches jemalloc only when set before Polars loads (storage.allocator)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from storage.allocator import CONF, ENV

_SHOW = "import os, {first}; import polars; print(os.environ.get({env!r}, ''))"


def _environment_after(first: str, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != ENV}
    code = _SHOW.format(first=first, env=ENV)
    out = subprocess.run([sys.executable, "-c", code], env={**base, **env},
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_importing_tsengine_sets_the_policy_after_polars_own():
    # Polars puts its own settings first and appends ours: jemalloc takes the last of each
    value = _environment_after("tsengine")
    assert value.endswith("," + CONF)
    assert value.startswith("dirty_decay_ms:500")


def test_importing_storage_alone_sets_it_too():
    assert _environment_after("storage").endswith("," + CONF)


def test_a_users_setting_is_kept():
    value = _environment_after("tsengine", **{ENV: "dirty_decay_ms:0"})
    assert value.endswith(",dirty_decay_ms:0")
    assert CONF not in value


def test_polars_loaded_first_leaves_it_alone():
    value = _environment_after("polars, tsengine")
    assert CONF not in value


# 20 rounds of 64 request-sized buffers (256 KB each) allocated and freed together: with glibc's
# default thresholds each round's 16 MB are returned to the kernel and faulted in again
_ROUNDS = """
import resource, sys
from storage.allocator import keep_freed_glibc_memory
tuned = sys.argv[1] == "tuned" and keep_freed_glibc_memory()
def one_round():
    blocks = [bytearray(256 << 10) for _ in range(64)]
    del blocks
one_round()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    one_round()
print(tuned, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(mode: str) -> tuple[bool, int]:
    out = subprocess.run([sys.executable, "-c", _ROUNDS, mode], capture_output=True, text=True,
                         check=True).stdout.split()
    return out[0] == "True", int(out[1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's allocator only")
def test_freed_buffers_are_reused_instead_of_faulted_in_again():
    tuned, faults = page_faults("tuned")
    if not tuned:
        pytest.skip("the C library is not glibc")
    _, untuned = page_faults("default")
    assert untuned > 20 * 16 * 256 // 2  # at least half of the 16 MB a round, in 4 KB pages
    assert faults < 100
