"""``truceline bench oracle``: does a hidden object take as long to refuse as a missing one?

On the scratch deployment the make target prepares (the demo's organisations and people),
Afghanistan's liaison files an allegation against Pakistan that no monitor has opened; then
Pakistan's liaison asks, alternately, for that incident and for one that does not exist
(a fresh random id each time), as a page and through the API. The medians and the 90th
percentiles of each, and their ratio, are the figures: equal answers that take measurably
different times would still tell one party what the other has filed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import statistics
import time
from collections.abc import Callable

from django.test import Client
from django.test.utils import setup_test_environment
from django.utils import timezone

from truceline.accounts.models import User
from truceline.accounts.services import token_create
from truceline.accounts.testing import force_sign_in
from truceline.core.ids import new_id

Line = tuple[str, str, str]


def _hidden_incident(client: Client, filer: User) -> str:
    _token, raw = token_create(actor=None, user=filer)
    answer = client.post(
        "/api/v1/reports",
        json.dumps(
            {
                "category": "cross-border-fire",
                "accused_party": "pakistan",
                "origin": "pakistan",
                "occurred_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
                "time_precision": "exact",
                "location": {"lat": 34.11, "lon": 71.09, "precision": "near"},
                "narrative": "Mortar rounds landed near the crossing.",
                "confidentiality": "parties",
                "sources": [],
                "evidence": [],
            }
        ),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    if answer.status_code != 201:
        raise RuntimeError(f"the allegation was not filed: {answer.status_code}")
    return str(answer.json()["incident"]["id"])


def _time(ask: Callable[[str], int], target: str) -> float:
    start = time.perf_counter()
    status = ask(target)
    took = time.perf_counter() - start
    if status != 404:
        raise RuntimeError(f"expected 404 for {target}, got {status}")
    return took * 1000


def run(requests: int, progress: Callable[[str], None]) -> list[Line]:
    setup_test_environment()  # the test client's host name is allowed
    for name in ("truceline.security", "django.request"):  # a line per 404 is not the point
        logging.getLogger(name).setLevel(logging.ERROR)
    accused = User.objects.get(username="pk-liaison")
    filer = User.objects.get(username="af-liaison")
    client = Client()
    hidden = _hidden_incident(client, filer)
    viewer = force_sign_in(Client(), accused)
    _token, raw = token_create(actor=None, user=accused)
    asks: dict[str, tuple[Callable[[str], int], str]] = {
        "page": (lambda i: viewer.get(f"/incidents/{i}/").status_code, "GET /incidents/{id}/"),
        "API": (
            lambda i: (
                client.get(f"/api/v1/incidents/{i}", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code
            ),
            "GET /api/v1/incidents/{id}",
        ),
    }
    lines: list[Line] = []
    for name, (ask, route) in asks.items():
        for _ in range(20):  # warm the caches and the connection
            ask(hidden), ask(new_id("INC"))
        times: dict[str, list[float]] = {"hidden": [], "missing": []}
        for n in range(requests):  # alternated, so that drift hits both alike
            order = ("hidden", "missing") if n % 2 else ("missing", "hidden")
            for kind in order:
                times[kind].append(_time(ask, hidden if kind == "hidden" else new_id("INC")))
        progress(f"{name}: {requests} of each")
        medians = {k: statistics.median(v) for k, v in times.items()}
        p90 = {k: statistics.quantiles(v, n=10)[-1] for k, v in times.items()}
        for kind in ("hidden", "missing"):
            lines.append(
                (
                    f"{route}, {kind}",
                    f"median {medians[kind]:.2f} ms, p90 {p90[kind]:.2f} ms",
                    f"{requests} requests as Pakistan's liaison",
                )
            )
        lines.append(
            (
                f"{route}, hidden / missing",
                f"{medians['hidden'] / medians['missing']:.3f}",
                "ratio of the medians; the aim is 1 within the machine's noise",
            )
        )
    return lines
