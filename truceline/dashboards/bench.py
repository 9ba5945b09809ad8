"""`truceline bench map`: the dashboard and the map's data endpoint at a million incidents.

Fills the database with synthetic incidents up to ``--incidents`` (the generator of
`truceline demo --incidents N`), then times whole requests through Django's stack (URL routing,
middleware, authentication, the policy, JSON or HTML) with the test client in this process, for
a monitor, a party's liaison and the public, zoomed out (clusters), at a middle zoom with a date
range (whole weeks from the tally, partial weeks from the incidents) and zoomed in (points).
Medians and 95th percentiles of repeated runs, after one warm-up request each.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from django.test import Client

from truceline.accounts.models import User
from truceline.accounts.testing import force_sign_in
from truceline.core.synthetic import generate
from truceline.incidents.models import Incident

AIM_MS = 300.0
CASES = [
    ("map, zoomed out (clusters)", "/api/v1/map?zoom=5"),
    (
        "map, one category, a date range of partial weeks",
        "/api/v1/map?zoom=7&from=2026-01-03&to=2026-04-15&category=shelling",
    ),
    ("map, zoomed in on Khyber (incidents)", "/api/v1/map?zoom=10&bbox=33.9,70.8,34.3,71.4"),
    ("dashboard page", "/dashboard/"),
]


def _time(client: Client, url: str, repeat: int) -> tuple[float, float, int]:
    client.get(url)  # warm-up: caches of the process (outlines, frame), the database's pages
    times = []
    status = 0
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], status


def run(incidents: int, repeat: int, progress: Callable[[str], None]) -> list[tuple[str, str, str]]:
    have = Incident.objects.count()
    if have < incidents:
        progress(f"generating {incidents - have:,} synthetic incidents (about 7 minutes a million)")
        started = time.monotonic()
        generate(incidents - have, seed=have + 1)
        progress(f"generated in {time.monotonic() - started:.0f} s")
    viewers: list[tuple[str, Client]] = []
    for label, username in (("monitor", "qa-monitor"), ("liaison", "pk-liaison"), ("public", None)):
        client = Client(HTTP_HOST="127.0.0.1")  # a host the settings allow
        if username:
            force_sign_in(client, User.objects.get(username=username))
        viewers.append((label, client))
    lines = []
    total = Incident.objects.count()
    for name, url in CASES:
        for label, client in viewers:
            median, p95, status = _time(client, url, repeat)
            if status != 200:
                raise RuntimeError(f"{url} as {label} answered {status}")
            verdict = "under the aim" if median < AIM_MS else "OVER the aim"
            lines.append(
                (
                    f"{name}, {label}",
                    f"p50 {median:.1f} ms, p95 {p95:.1f} ms",
                    f"{median / AIM_MS:.2f}× the 300 ms aim ({verdict}); {total:,} incidents",
                )
            )
            progress(f"{name}, {label}: {median:.1f} ms")
    return lines
