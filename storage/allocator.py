"""The purge policy of Polars' memory allocator (jemalloc), set before Polars loads.

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
"""

from __future__ import annotations

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
