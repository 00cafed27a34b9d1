"""Crash safety: a writer killed with SIGKILL at random moments loses no acknowledged batch,
never leaves a batch half written, and leaves no orphan files once the store is reopened."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

from storage import FieldType, FixedClock, Store, parse_time

REPO = Path(__file__).resolve().parents[2]
NOW = parse_time("2024-01-02T00:00:00Z")
ROUNDS = 4
PER_BATCH = 40  # own points per batch, plus 10 shared points and one overwrite of the last batch

# Each batch N writes, in one request:
#   40 points  crash,batch=N,i=k v=N,k=k      (spread over three days by N % 3)
#   10 points  crash,batch=shared,i=k v=N    (overwrite the same points every batch)
#    1 point   crash,batch=N-1,i=0 w=N       (adds a field to the previous batch's first point)
# and prints "ACK N" once write() has returned. After batches 1, 5, 9, ... it compacts; the
# small compact_threshold (120 rows) makes every third write or so compact on its own too
# (in the first round: the writes of batches 4, 8, 12, ..., before their ACK).
CHILD = """
import sys
from storage import FixedClock, Store
root, n = sys.argv[1], int(sys.argv[2])
T0, DAY, SEC = 1704067200000000000 - 86400 * 10**9, 86400 * 10**9, 10**9
def t(b, k):
    return T0 + (b % 3) * DAY + k * SEC
with Store.open(root, clock=FixedClock(@NOW@), compact_threshold=120) as store:
    while True:
        lines = [f"crash,batch={n},i={k} v={n}i,k={k}i {t(n, k)}" for k in range(@PER_BATCH@)]
        lines += [f"crash,batch=shared,i={k} v={n}i {T0 + k}" for k in range(10)]
        if n > 0:
            lines.append(f"crash,batch={n - 1},i=0 w={n}i {t(n - 1, 0)}")
        store.write("b", "\\n".join(lines))
        print(f"ACK {n}", flush=True)
        if n % 4 == 1:
            store.compact()
        n += 1
""".replace("@NOW@", str(NOW)).replace("@PER_BATCH@", str(PER_BATCH))


def _run_round(root: Path, first: int, kill_at: int, delay: float, log: Path) -> int:
    """Start a writer at batch `first`, SIGKILL it `delay` s after it acknowledged batch
    `kill_at`; return the last acknowledged batch."""
    with open(log, "ab") as err:
        proc = subprocess.Popen([sys.executable, "-c", CHILD, str(root), str(first)],
                                cwd=REPO, stdout=subprocess.PIPE, stderr=err, text=True)
    acked = first - 1
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            assert line.startswith("ACK "), line
            acked = int(line.split()[1])
            if acked >= kill_at:
                break
        else:
            proc.wait()
            raise AssertionError(f"writer exited by itself ({proc.returncode}): "
                                 f"{log.read_text()[-3000:]}")
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # ACKs printed between our last read and the kill count too
        for line in proc.stdout:
            acked = int(line.split()[1])
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    return acked


def _check(store: Store, acked: int, seed: int) -> set[int]:
    """Every acknowledged batch whole, at most the next one beyond, nothing else; no orphans."""
    ctx = f"seed={seed} acked={acked}"
    frame = store.scan("b")[FieldType.INTEGER].collect()
    own = frame.filter(pl.col("batch") != "shared").with_columns(
        pl.col("batch").cast(pl.Int64), pl.col("i").cast(pl.Int64))
    per_batch = own.group_by("batch").agg(
        (pl.col("_field") == "v").sum().alias("v_rows"),
        ((pl.col("_field") == "v") & (pl.col("_value") == pl.col("batch"))).sum().alias("v_ok"),
        ((pl.col("_field") == "k") & (pl.col("_value") == pl.col("i"))).sum().alias("k_ok"),
        pl.col("_value").filter(pl.col("_field") == "w").alias("w"),
        pl.col("i").filter(pl.col("_field") == "w").alias("w_i"),
    ).sort("batch")
    committed = set(per_batch["batch"].to_list())
    assert committed in ({*range(acked + 1)}, {*range(acked + 2)}), (ctx, sorted(committed))
    for row in per_batch.iter_rows(named=True):
        b = row["batch"]
        assert (row["v_rows"], row["v_ok"], row["k_ok"]) == (PER_BATCH,) * 3, (ctx, row)
        if b + 1 in committed:
            assert (row["w"], row["w_i"]) == ([b + 1], [0]), (ctx, row)
        else:
            assert row["w"] == [], (ctx, row)
    shared = frame.filter(pl.col("batch") == "shared")
    assert shared.height == 10, ctx
    assert shared["_value"].to_list() == [max(committed)] * 10, ctx
    assert sum(s.points for s in store.stats("b")) == PER_BATCH * len(committed) + 10, ctx
    # no orphans: the files on disk are exactly those of the manifest, and no temporary ones
    on_disk = {str(p) for p in (store.path / "buckets").rglob("*") if p.is_file()}
    assert on_disk == store.catalog.all_partition_paths(), ctx
    return committed


def test_sigkill_loses_no_acknowledged_batch(tmp_path):
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    root = tmp_path / "data"
    log = tmp_path / "writer.log"
    clock = FixedClock(NOW)
    with Store.open(root, clock=clock) as store:
        store.create_bucket("b")
    first = 0
    started = time.monotonic()
    for _ in range(ROUNDS):
        kill_at = first + rng.randint(1, 6)
        if rng.random() < 0.8:  # aim at a compaction: after ACK 4k+1, or in the write of 4k+4
            kill_at += (rng.choice([1, 3]) - kill_at) % 4
        delay = rng.choice([0.0, rng.uniform(0, 0.02), rng.uniform(0, 0.06), rng.uniform(0, 0.2)])
        acked = _run_round(root, first, kill_at, delay, log)
        with Store.open(root, clock=clock, compact_threshold=120) as store:
            committed = _check(store, acked, seed)
        first = max(committed) + 1
    assert first >= ROUNDS * 2
    assert time.monotonic() - started < 60, "crash test too slow"
