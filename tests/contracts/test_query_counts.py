"""Pinned query counts: a report's submission, and every list operation of the API in a small
world and in one three times its size. A list whose count grows with its rows (N+1) fails, and
so does any change to a pinned count: lower it here when a change saves queries, and say why
in the commit when one must cost more.

The same counts hold on SQLite and PostgreSQL (``scripts/test-all``): both run the same
statements, savepoints included (the test's own transaction makes every atomic block one).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from truceline.accounts.services import token_create
from truceline.incidents.models import Incident
from truceline.incidents.services import question_ask
from truceline.notify.services import webhook_create
from truceline.reports.services import draft_save
from truceline.testing.tasks import work
from truceline.testing.world import plant

pytestmark = pytest.mark.django_db

VIEWERS = ("qa-monitor", "pk-liaison")

# list operation -> queries as (qa-monitor, pk-liaison), in either world (the same, or the
# list has an N+1)
PINNED_LISTS: dict[str, tuple[int, int]] = {
    "/api/v1/commitments": (9, 9),
    "/api/v1/compliance": (89, 89),
    "/api/v1/crossings": (3, 3),
    "/api/v1/drafts": (3, 3),
    "/api/v1/evidence": (6, 6),
    "/api/v1/findings": (5, 3),
    "/api/v1/incidents": (3, 3),
    "/api/v1/keys": (2, 2),
    "/api/v1/measures": (3, 3),
    "/api/v1/notifications": (3, 4),
    "/api/v1/notifications/preferences": (2, 2),
    "/api/v1/questions": (3, 3),
    "/api/v1/reconsiderations": (3, 3),
    "/api/v1/reports": (4, 5),
    "/api/v1/requests": (4, 4),
    "/api/v1/requests/stats": (2, 2),
    "/api/v1/rounds": (3, 3),
    "/api/v1/seals": (3, 1),
    "/api/v1/tokens": (3, 3),
    "/api/v1/webhooks": (2, 2),
}

# Lists the world here cannot grow, and why (each must still keep its pinned count).
NOT_GROWN = {
    "/api/v1/keys": "the guarantors' keys: one per guarantor, from the scenario",
    "/api/v1/rounds": "the scenario's rounds",
    "/api/v1/commitments": "the scenario's commitments",
    "/api/v1/crossings": "the scenario's crossings",
    "/api/v1/notifications/preferences": "one row per kind of notification",
    "/api/v1/requests/stats": "one row per kind of request, counted in the database",
    "/api/v1/compliance": "a cell per commitment, party and month: the scenario's size",
    "/api/v1/measures": "measures need a published finding, which this world does not reach",
    "/api/v1/reconsiderations": "they need a ruling or a published finding to reconsider",
}

# A submission through the API, bearer token and Idempotency-Key, as the parties' systems
# file: the rate limit, the token, the key's claim and stored answer, the scenario's rows,
# the incident and its tallies, the report, the ledger's append, the outbox row and its
# drain task, the version, and the answer (receipt, seals).
SUBMISSION = 40


def _report() -> dict[str, Any]:
    return {
        "category": "militant-attack",
        "accused_party": "afghanistan",
        "occurred_at": (timezone.now() - dt.timedelta(days=2)).isoformat(),
        "time_precision": "exact",
        "location": {"lat": 34.11, "lon": 71.09, "precision": "near", "place": "torkham"},
        "narrative": "Militants attacked the post.",
        "confidentiality": "parties",
        "sources": [],
        "evidence": [],
    }


def _submit(api: Any, token: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        answer = api.client.post(
            "/api/v1/reports",
            data=json.dumps(_report()),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {token}",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
        )
    assert answer.status_code == 201, answer.content[:300]
    return len(queries.captured_queries)


def test_a_submission_keeps_its_pinned_count(api, settings, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    # an ordinary submission: the one in 64 (or the first after 30 s) that also signs the
    # ledger's checkpoint costs more, and a slow run would cross the 30 s
    settings.TRUCELINE_CHECKPOINT_SECONDS = 10**6
    settings.TRUCELINE_CHECKPOINT_ENTRIES = 10**6
    token = api.token("pk-liaison")
    _submit(api, token)  # the process's first: what it keeps once (the geography's frame...)
    counts = [_submit(api, token) for _ in range(3)]
    # On PostgreSQL one run in a few saw one submission cost one query more (41), not yet
    # explained (not the checkpoint, not the token's touch); the steady cost is pinned exactly.
    assert min(counts) == SUBMISSION, counts
    with django_assert_max_num_queries(SUBMISSION + 1):
        _submit(api, token)


def _grow(api: Any, people: dict[str, Any], settings: Any) -> None:
    """One more of everything the lists list."""
    settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = True
    ids = plant(api)
    incident = Incident.objects.get(pk=ids["incident"])
    question_ask(incident=incident, actor=people["qa-monitor"], party="afghanistan", text="When?")
    for who in VIEWERS:
        draft_save(actor=people["pk-liaison"], data={"narrative": "so far"})
        token_create(actor=None, user=people[who])
        webhook_create(actor=people[who], url="http://127.0.0.1:9/hook")
    work()  # the notifications


def _list_operations(api: Any) -> list[str]:
    """The served OpenAPI document's GET operations with no path parameter."""
    document = json.loads(api.client.get("/api/v1/openapi.json").content)
    return [path for path, ops in document["paths"].items() if "get" in ops and "{" not in path]


def _measure(api: Any, paths: list[str], who: str) -> dict[str, tuple[int, int]]:
    """Per list operation: (queries, items) of a second call (the first warms what a process
    keeps once)."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.token(who)}"}
    out = {}
    for path in paths:
        api.client.get(path, **headers)
        with CaptureQueriesContext(connection) as queries:
            answer = api.client.get(path, **headers)
        if answer.status_code == 422:
            continue  # an operation that needs parameters (a range, a query)
        assert answer.status_code == 200, (who, path, answer.status_code)
        json_answer = answer.get("Content-Type", "").startswith("application/json")
        body = answer.json() if json_answer else None
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            continue  # not a list: one object, a figure, a text
        out[path] = (len(queries.captured_queries), len(body["items"]))
    return out


def test_no_list_grows_with_its_rows_and_each_keeps_its_pinned_count(api, people, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_CHECKPOINT_SECONDS = 10**6  # no checkpoint signed by the time a run takes
    _grow(api, people, settings)
    paths = _list_operations(api)
    small = {who: _measure(api, paths, who) for who in VIEWERS}
    _grow(api, people, settings)
    _grow(api, people, settings)
    large = {who: _measure(api, paths, who) for who in VIEWERS}

    lists = sorted(small["qa-monitor"])
    assert len(lists) >= 15, lists  # the walk found the lists (one that found none proves nothing)
    grows = {
        (who, path): (small[who][path][0], large[who][path][0])
        for who in VIEWERS
        for path in lists
        if small[who][path][0] != large[who][path][0]
    }
    assert grows == {}, f"queries that grow with the rows (small, large): {grows}"
    grown = {p for p in lists if any(large[w][p][1] > small[w][p][1] for w in VIEWERS)}
    assert set(lists) - grown == set(NOT_GROWN) & set(lists), "a list the world did not grow"
    counts = {path: tuple(large[who][path][0] for who in VIEWERS) for path in lists}
    assert counts == PINNED_LISTS
