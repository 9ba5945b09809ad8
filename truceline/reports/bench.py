"""``truceline bench submissions``: report submissions per second and their latency through
``truceline serve`` at 1, 8 and 32 concurrent clients, next to the same database's raw
durable insert rate (the floor), and a profile of one submission's parts.

The server runs on a scratch deployment (core/harness.py): SQLite, or a scratch database on
the PostgreSQL server of TRUCELINE_DATABASE_URL. Clients are threads of this process on
keep-alive connections, each with its own Idempotency-Key per submission.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

from truceline.core.harness import Client, Deployment

REPORT: dict[str, Any] = {
    "category": "cross-border-fire",
    "accused_party": "afghanistan",
    "occurred_at": "2025-11-02T04:30:00Z",
    "time_precision": "exact",
    "location": {"lat": 34.11, "lon": 71.09, "precision": "near", "place": "torkham"},
    "narrative": "Fire from across the border hit a post near Torkham.",
    "casualties": {},
    "origin": "afghanistan",
    "confidentiality": "parties",
    "urgent": False,
    "sources": ["Post commander"],
    "evidence": [],
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _load(port: int, token: str, clients: int, seconds: float) -> tuple[int, list[float], int]:
    """Submissions done, their latencies (s), and failures, over ``seconds``."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def run(n: int) -> None:
        client = Client(port, token)
        i = 0
        mine = []
        while time.monotonic() < stop:
            i += 1
            body = {**REPORT, "narrative": f"Load {clients}/{n}/{i}: fire hit a post."}
            started = time.perf_counter()
            status, _p, _h = client.request(
                "POST", "/reports", body, {"Idempotency-Key": f"load-{clients}-{n}-{i}"}
            )
            if status == 201:
                mine.append(time.perf_counter() - started)
            else:
                with lock:
                    failures[0] += 1
        client.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(latencies), latencies, failures[0]


def _raw_inserts(database_url: str, data_dir: str, seconds: float) -> float:
    """One client, one row per committed transaction, the server's durable settings."""
    done = 0
    if database_url:
        import psycopg

        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute("CREATE TABLE bench_floor (id bigserial primary key, body text)")
            conn.execute("SET synchronous_commit = on")
            stop = time.monotonic() + seconds
            started = time.monotonic()
            while time.monotonic() < stop:
                conn.execute("INSERT INTO bench_floor (body) VALUES (%s)", ("x" * 400,))
                done += 1
            return done / (time.monotonic() - started)
    import sqlite3

    lite = sqlite3.connect(os.path.join(data_dir, "floor.sqlite3"), isolation_level=None)
    lite.execute("PRAGMA journal_mode=WAL")
    lite.execute("PRAGMA synchronous=FULL")
    lite.execute("CREATE TABLE bench_floor (id integer primary key, body text)")
    stop = time.monotonic() + seconds
    started = time.monotonic()
    while time.monotonic() < stop:
        lite.execute("BEGIN IMMEDIATE")
        lite.execute("INSERT INTO bench_floor (body) VALUES (?)", ("x" * 400,))
        lite.execute("COMMIT")
        done += 1
    lite.close()
    return done / (time.monotonic() - started)


# The rate limit counts every submission (its cost is in the figures) at a rate the one
# client of the benchmark never reaches.
UNREACHED_RATE = "1000000/m"

# What a submission spends its time on, by the function that does it (cumulative).
PARTS = [
    ("rate limit count", "security/ratelimit.py", "retry_after"),
    ("bearer token check", "accounts/services.py", "request_token_user"),
    ("idempotency (claim + stored answer)", "idempotency/services.py", "run_once"),
    ("body parsing and validation (ninja)", "ninja/operation.py", "_get_values"),
    ("report_submit service, all of it", "reports/services.py", "report_submit"),
    ("  place derivation (geo)", "geo/derive.py", "derive"),
    ("  ledger entry (event_append)", "ledger/services.py", "event_append"),
    ("  the outbox row of the event", "notify/outbox.py", "record"),
    ("answer (report_out + receipt)", "reports/api.py", "report_out"),
]


def profile(n: int) -> list[tuple[str, float]]:
    """In this process (the current database): ms per submission in each part."""
    from django.conf import settings
    from django.test import Client as DjangoClient

    from truceline.accounts.models import User
    from truceline.accounts.services import token_create

    token = token_create(actor=None, user=User.objects.get(username="pk-liaison"))[1]
    client = DjangoClient(HTTP_HOST="127.0.0.1")
    settings.TRUCELINE_RATE_LIMITS = {**settings.TRUCELINE_RATE_LIMITS, "submit": UNREACHED_RATE}

    def submit(i: int) -> None:
        response = client.post(
            "/api/v1/reports",
            json.dumps({**REPORT, "narrative": f"Profiled {i}."}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=f"profile-{time.time_ns()}-{i}",
        )
        assert response.status_code == 201, response.content

    for i in range(5):
        submit(i)  # warm: geography loaded, connections open
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(n):
        submit(i)
    profiler.disable()
    total = (time.perf_counter() - started) / n * 1000
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    out = [("whole request, in process (profiled)", total)]
    for label, path, name in PARTS:
        cumulative = sum(
            v[3] for (file, _line, func), v in stats.items() if func == name and file.endswith(path)
        )
        out.append((label, cumulative / n * 1000))
    return out


def run(
    postgres_url: str | None,
    workers: int,
    seconds: float,
    levels: tuple[int, ...],
    progress: Callable[[str], None],
) -> list[tuple[str, str, str]]:
    lines: list[tuple[str, str, str]] = []
    limit = {"TRUCELINE_RATE_SUBMIT": UNREACHED_RATE}
    with Deployment(postgres_url, workers=workers, env_extra=limit) as deployment:
        token = deployment.token("pk-liaison")
        deployment.start()
        _load(deployment.port, token, 4, 3)  # warm every worker (geography, connections)
        for clients in levels:
            progress(f"{clients} clients for {seconds:.0f} s")
            done, latencies, failures = _load(deployment.port, token, clients, seconds)
            rate = done / seconds
            lines.append(
                (
                    f"{clients} client{'s' if clients > 1 else ''}",
                    f"{rate:,.0f}/s",
                    f"p50 {statistics.median(latencies) * 1000:.1f} ms, "
                    f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms"
                    + (f", {failures} refused" if failures else ""),
                )
            )
        deployment.stop()
        floor = _raw_inserts(deployment.database_url, str(deployment.data_dir), seconds)
        lines.append(
            (
                "raw durable insert, 1 client (floor)",
                f"{floor:,.0f}/s",
                "one row per commit, same database server, no Django",
            )
        )
    return lines
