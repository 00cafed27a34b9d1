"""The serving process keeps freed buffers instead of faulting in fresh pages for each request."""

from __future__ import annotations

import subprocess
import sys

import pytest

# 20 rounds of 64 request-sized buffers (256 KB each) allocated and freed together: with glibc's
# default thresholds each round's 16 MB are returned to the kernel and faulted in again
_ROUNDS = """
import resource, sys
from tsengine.server.malloc_tuning import keep_freed_memory
tuned = sys.argv[1] == "tuned" and keep_freed_memory()
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
