"""The allocator policy reaches jemalloc only when set before Polars loads (storage.allocator)."""

from __future__ import annotations

import os
import subprocess
import sys

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
