"""Keep freed request-sized memory in the process instead of handing it back to the kernel.

glibc serves an allocation above its mmap threshold (128 KB at first, raised as such blocks are
freed) with a fresh mapping and unmaps it on free, and returns the free top of its heaps to the
kernel beyond its trim threshold. A write request's body arrives in 64 KB pieces that uvicorn
joins, copies and hands over (1 MB for 5,000 lines), so under that policy every request's
buffers are new pages, each faulted in and zeroed by the kernel: ~350 page faults a request,
about half of what the HTTP layer costs. With the thresholds fixed high, those buffers are
reused from request to request (measured on the bench's 2M-point HTTP ingest with the write
itself left out: 138,000 page faults -> 1,700, the HTTP layer's CPU 0.66 s -> 0.28 s).

The thresholds are set once, for the serving process; the memory kept is at most what requests
freed (the trim threshold bounds the free memory a heap keeps at its top).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

# glibc's mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's own upper bound for its dynamic threshold
TRIM_THRESHOLD = 64 << 20


def keep_freed_memory() -> bool:
    """Fix glibc's mmap and trim thresholds high (see the module's docstring); False where
    the C library is not glibc (nothing is changed)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - present in glibc only (musl has no mallopt effect)
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD))
