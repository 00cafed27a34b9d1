"""The policies of the memory allocators: Polars' jemalloc (set before Polars loads) and glibc's
malloc in a serving process (keep_freed_glibc_memory).

Polars' import sets jemalloc to give freed pages back to the operating system after half a
second (dirty) and one second (muzzy), against RSS that stayed high (pola-rs/polars#18088). A
write request frees its buffers before the next one allocates the same sizes again, so with that
policy every request faulted its pages in afresh: on the 10M-point ingest benchmark, ~960,000
page faults and a quarter of the CPU time in the kernel. Ten seconds, jemalloc's own default for
dirty pages, keeps the pages of the last requests for reuse (the faults drop to ~350,000, ingest
~15-25% faster) and still returns memory a few seconds after a burst; peak memory is unchanged.

Polars appends the value of `_RJEM_MALLOC_CONF` to its own, so the settings here win; jemalloc
reads it once, when Polars' library loads: this module must be imported before Polars
(`storage` and `tsengine` import it first). A value the user set is kept; once Polars is
loaded, setting it would change nothing, so it is left alone.

glibc's malloc (Python's objects and buffers, NumPy) serves an allocation above its mmap threshold
(128 KB at first, raised as such blocks are freed) with a fresh mapping and unmaps it on free,
and gives the free top of a heap back beyond its trim threshold. A server's write request
arrives in 64 KB pieces that uvicorn joins and copies (1 MB for 5,000 lines), so under that
policy every request's buffers were new pages: ~350 page faults a request, about half of what
the HTTP layer cost. `tsengine serve` fixes both thresholds high, and those buffers are reused
from request to request (the bench's 2M-point HTTP ingest with the write itself left out:
138,000 page faults -> 1,700, the HTTP layer's CPU 0.66 s -> 0.28 s). Embedded ingest measured
no faster with it, and kept more memory, so only the server sets it.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys

ENV = "_RJEM_MALLOC_CONF"  # the variable of the jemalloc Polars links (tikv-jemallocator)
CONF = "dirty_decay_ms:10000,muzzy_decay_ms:10000"


def configure() -> bool:
    """Set the purge policy if Polars is not loaded yet and the user set none; return
    whether it was set."""
    if ENV in os.environ or "polars" in sys.modules:
        return False
    os.environ[ENV] = CONF
    return True


configure()

# glibc's mallopt parameters (malloc.h) and the values `tsengine serve` sets
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's own upper bound for its dynamic threshold
TRIM_THRESHOLD = 64 << 20  # the free memory a heap keeps at its top


def keep_freed_glibc_memory() -> bool:
    """Fix glibc's mmap and trim thresholds high (see the module's docstring); False where the
    C library is not glibc (nothing is changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - glibc's alone: musl's mallopt does nothing
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
