"""``truceline bench ledger``: append, prove and verify at a million entries, beside the
hashing floor and pymerkle doing the same work. Runs on a scratch database (``make bench``
makes one); it refuses a database whose log is not empty.

Figures are medians and percentiles of one run; ratios compare figures of the same run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import platform
import random
import secrets
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from truceline.core.canonical import canonical_bytes
from truceline.ledger import merkle
from truceline.ledger.audit import verify_database
from truceline.ledger.leaves import EventRecord, time_text
from truceline.ledger.models import LogHead
from truceline.ledger.selectors import inclusion_proof
from truceline.ledger.services import checkpoint_now, event_append

BATCH = 20_000


@dataclass
class Results:
    lines: list[tuple[str, str, str]] = field(default_factory=list)  # figure, value, note

    def add(self, figure: str, value: str, note: str = "") -> None:
        self.lines.append((figure, value, note))


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.3f} ms"


def _pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def _synthetic(seq: int, at: dt.datetime) -> EventRecord:
    payload = canonical_bytes(
        {
            "report": f"RPT-{seq:08d}",
            "incident": f"INC-{seq // 3:08d}",
            "filed_by": "pk-liaison",
            "substance": {"category": "cross-border-fire", "narrative": "x" * 120, "i": seq},
        }
    ).decode()
    return EventRecord(
        seq=seq,
        time=time_text(at),
        actor="pk-liaison",
        kind="report.submitted",
        object_type="report",
        object_id=f"RPT-{seq:08d}",
        payload=payload,
        salt=secrets.token_hex(32),
    )


def bulk_load(n: int, progress: Callable[[str], None]) -> float:
    """Fill the empty log with ``n`` synthetic events, their leaves and the tree's nodes,
    exactly as ``event_append`` would, in large batches; returns the seconds it took."""
    start = time.perf_counter()
    head = LogHead.objects.get(pk=1)
    frontier = merkle.unpack(bytes(head.frontier))
    size = head.size
    base = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        while size < n:
            events, entries, nodes = [], [], []
            for _ in range(min(BATCH, n - size)):
                at = base + dt.timedelta(microseconds=size)
                record = _synthetic(size + 1, at)
                leaf = record.leaf()
                events.append(
                    (
                        record.seq,
                        at,
                        record.actor,
                        record.kind,
                        record.object_type,
                        record.object_id,
                        record.payload,
                        record.salt,
                    )
                )
                entries.append((size, leaf))
                nodes.extend(merkle.frontier_append(frontier, size, merkle.leaf_hash(leaf)))
                size += 1
            cursor.executemany(
                "INSERT INTO ledger_event (seq, recorded_at, actor_label, kind, object_type,"
                " object_id, payload, salt) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
                [(s, connection.ops.adapt_datetimefield_value(a), *rest) for s, a, *rest in events],
            )
            cursor.executemany('INSERT INTO ledger_entry ("index", leaf) VALUES (%s, %s)', entries)
            cursor.executemany("INSERT INTO ledger_node (id, hash) VALUES (%s, %s)", nodes)
            progress(f"loaded {size:,} of {n:,}")
        head.size = size
        head.frontier = merkle.pack(frontier)
        head.pending_since = timezone.now()
        head.save(update_fields=["size", "frontier", "pending_since"])
    checkpoint_now()
    return time.perf_counter() - start


def _hash_floor(n: int) -> tuple[float, float, int]:
    """Seconds to hash, with hashlib alone, the messages a full verification hashes for
    ``n`` entries (each event's commitment input, each leaf, each inner node), one call per
    message as the verifier makes them; and the seconds for the same bytes in one call."""
    total, single, nbytes = 0.0, 0.0, 0
    sha = hashlib.sha256
    base = timezone.now()
    done = 0
    previous = [sha(b"x").digest()]
    while done < n:
        count = min(BATCH, n - done)
        records = [_synthetic(done + i + 1, base) for i in range(count)]
        commit_inputs = [bytes.fromhex(r.salt) + r.canonical() for r in records]
        leaf_inputs = [b"\x00" + r.leaf() for r in records]
        node_inputs = [b"\x01" + previous[0] + previous[0]] * count  # n - 1 inner nodes in all
        messages = commit_inputs + leaf_inputs + node_inputs
        t = time.perf_counter()
        for message in messages:
            sha(message).digest()
        total += time.perf_counter() - t
        blob = b"".join(messages)
        nbytes += len(blob)
        t = time.perf_counter()
        sha(blob).digest()
        single += time.perf_counter() - t
        done += count
    return total, single, nbytes


def _drop_os_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        return False
    return True


def _proof_latencies(n: int, count: int, cold: str = "") -> list[float]:
    """Warm: one connection, its page cache filling up. "db": a new connection before each
    proof (opened before the clock starts), so the database's page cache is empty. "os":
    that, and the operating system's page cache dropped too."""
    rng = random.Random(7)  # noqa: S311 (which leaves to prove, not a secret)
    out = []
    for _ in range(count):
        index = rng.randrange(n)
        if cold:
            connection.close()
            if cold == "os" and not _drop_os_cache():
                return []
            connection.ensure_connection()
        t = time.perf_counter()
        inclusion_proof(index, n)
        out.append(time.perf_counter() - t)
    return out


def _durable_commit_latencies(count: int) -> list[float]:
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS bench_commit (id INTEGER PRIMARY KEY, body TEXT)"
        )
    out = []
    for i in range(count):
        t = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO bench_commit (id, body) VALUES (%s, %s)", [i, "x" * 300])
        out.append(time.perf_counter() - t)
    return out


def _append_latencies(count: int) -> list[float]:
    out = []
    for i in range(count):
        t = time.perf_counter()
        with transaction.atomic():
            event_append(
                actor=None,
                kind="bench.append",
                object_type="bench",
                object_id=str(i),
                payload={"i": i, "narrative": "x" * 120},
            )
        out.append(time.perf_counter() - t)
    return out


def _pymerkle(n: int, proofs: int, progress: Callable[[str], None]) -> dict[str, Any]:
    """pymerkle's SQLite tree on the same leaves: bulk append, proofs warm and cold (its
    subroot cache cleared), and the root recomputed from the stored leaves."""
    from pymerkle import SqliteTree

    with tempfile.TemporaryDirectory() as tmp:
        tree = SqliteTree(str(Path(tmp) / "pymerkle.db"))
        base = timezone.now()
        t = time.perf_counter()
        done = 0
        while done < n:
            count = min(BATCH, n - done)
            tree.append_entries([_synthetic(done + i + 1, base).leaf() for i in range(count)])
            done += count
            progress(f"pymerkle: {done:,} of {n:,}")
        append_s = time.perf_counter() - t
        rng = random.Random(7)  # noqa: S311
        warm, cold = [], []
        for _ in range(proofs):
            index = rng.randrange(n) + 1
            t = time.perf_counter()
            tree.prove_inclusion(index, n)
            warm.append(time.perf_counter() - t)
        for _ in range(max(20, proofs // 20)):
            index = rng.randrange(n) + 1
            tree.cache_clear()
            t = time.perf_counter()
            tree.prove_inclusion(index, n)
            cold.append(time.perf_counter() - t)
        tree.cache_clear()
        t = time.perf_counter()
        tree.get_root(n)
        root_s = time.perf_counter() - t
        tree.close()
    return {"append_s": append_s, "warm": warm, "cold": cold, "root_s": root_s}


def run(
    *,
    entries: int,
    appends: int,
    proofs: int,
    with_pymerkle: bool,
    progress: Callable[[str], None],
) -> Results:
    if LogHead.objects.get(pk=1).size > 10:
        raise RuntimeError("the bench needs a scratch database with an empty log (make bench)")
    res = Results()
    load_s = bulk_load(entries, progress)
    res.add("bulk load (events, leaves, nodes)", f"{load_s:.1f} s", f"{entries:,} entries")

    progress("appends")
    baseline = _durable_commit_latencies(appends)
    ours = _append_latencies(appends)
    b, a = statistics.median(baseline), statistics.median(ours)
    res.add("durable commit of one row, median", _ms(b), f"{1 / b:,.0f} commits/s: the floor")
    res.add(
        f"event_append at {entries:,}, median",
        _ms(a),
        f"{1 / a:,.0f} appends/s; {a / b:.2f}× the durable-commit time; p99 {_ms(_pct(ours, 99))}",
    )

    size = LogHead.objects.get(pk=1).size
    progress("proofs")
    warm = _proof_latencies(size, proofs)
    cold = _proof_latencies(size, proofs, cold="db")
    colder = _proof_latencies(size, max(50, proofs // 10), cold="os")
    res.add(
        f"inclusion proof at {size:,}, warm",
        f"p50 {_ms(statistics.median(warm))}, p99 {_ms(_pct(warm, 99))}",
        f"{proofs} random leaves, one connection",
    )
    res.add(
        f"inclusion proof at {size:,}, cold database cache",
        f"p50 {_ms(statistics.median(cold))}, p99 {_ms(_pct(cold, 99))}",
        f"{proofs} random leaves, a new connection (empty page cache) for each",
    )
    if colder:
        res.add(
            f"inclusion proof at {size:,}, cold database and OS caches",
            f"p50 {_ms(statistics.median(colder))}, p99 {_ms(_pct(colder, 99))}",
            f"{len(colder)} random leaves, OS page cache dropped before each",
        )
    else:
        res.add("inclusion proof, cold OS cache", "not measured", "cannot drop the page cache")

    progress("full verification")
    timings = {}
    for workers in (1, os.cpu_count() or 1):
        t = time.perf_counter()
        report = verify_database(workers)
        timings[workers] = time.perf_counter() - t
        if not report.ok:
            raise RuntimeError(f"verification failed: {report.problems[:3]}")
    floor_s, single_s, nbytes = _hash_floor(size)
    for workers, verify_s in timings.items():
        res.add(
            f"ledger verify at {size:,}, {workers} process{'es' if workers > 1 else ''}",
            f"{verify_s:.2f} s",
            f"{verify_s / floor_s:.2f}× the hashing floor (target ≤ 3×)",
        )
    res.add(
        "hashing floor: hashlib SHA-256, one call per message",
        f"{floor_s:.2f} s",
        f"{3 * size - 1:,} messages, {nbytes / 1e6:,.0f} MB; one call over the same bytes: "
        f"{single_s:.2f} s",
    )
    if with_pymerkle:
        pm = _pymerkle(size, proofs, progress)
        res.add("pymerkle SqliteTree: append all leaves", f"{pm['append_s']:.1f} s", "bulk")
        res.add(
            "pymerkle: inclusion proof, warm",
            f"p50 {_ms(statistics.median(pm['warm']))}, p99 {_ms(_pct(pm['warm'], 99))}",
        )
        res.add(
            "pymerkle: inclusion proof, cold",
            f"p50 {_ms(statistics.median(pm['cold']))}, p99 {_ms(_pct(pm['cold'], 99))}",
            "subroot cache cleared per proof",
        )
        res.add(
            "pymerkle: root recomputed from the stored leaves",
            f"{pm['root_s']:.2f} s",
            "(leaf hashes only; no commitments re-derived)",
        )
    return res


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = os.cpu_count()
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if vendor == "sqlite" else "SHOW server_version")
        version = cursor.fetchone()[0]
    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{cpu}, {cores} cores; Python {platform.python_version()}; {vendor} {version}; "
        f"commit {rev or 'unknown'}"
    )
