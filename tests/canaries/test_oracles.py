"""No existence oracles: an object a viewer may not see and one that does not exist answer
alike — the same status and body, and the same queries and writes, so that neither the answer
nor its time tells one party whether the other has filed, answered or been found against.

The URLs come from the mechanism's own walk of the world (its pages and every GET operation
of the OpenAPI document), so a page or an endpoint added tomorrow is checked the day it is
linked. Every URL holding an id that answers 404 to a viewer is asked again with the id of an
object that does not exist. The time itself is measured by ``make bench-oracle``.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from truceline.core.ids import new_id
from truceline.security.models import Kind, SecurityEvent
from truceline.testing.crawl import crawl
from truceline.testing.world import api_paths, client_for, plant

ID = re.compile(r"\b([A-Z]{3})-[0-9A-HJKMNP-TV-Z]{8}\b")
VIEWERS = ["pk-liaison", "af-liaison", "public"]


def _shape(sql: str) -> str:
    """A query with its values taken out (ids, times, savepoint names)."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r'"s\d+_x\d+"|\bs\d+_x\d+\b', "SAVEPOINT", sql)
    return re.sub(r"\b\d+(\.\d+)?\b", "N", sql)


def _ask(client: Any, url: str, headers: dict[str, str]) -> tuple[int, bytes, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        answer = client.get(url, **headers)
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    return answer.status_code, body, [_shape(q["sql"]) for q in queries.captured_queries]


@pytest.mark.django_db
def test_a_hidden_object_and_a_missing_one_answer_alike(api, people) -> None:  # type: ignore[no-untyped-def]
    ids = plant(api)
    monitor = client_for("qa-monitor", people)
    urls = {
        page.url
        for page in crawl(monitor, start=["/", f"/incidents/{ids['incident']}/"], per_shape=3)
        if ID.search(page.url)
    }
    paths = [path for path in api_paths(monitor, ids) if ID.search(path)]
    # the same operations on the allegation nobody has opened
    for one, other in (("incident", "unopened_incident"), ("report", "unopened_report")):
        paths += [p.replace(ids[one], ids[other]) for p in paths if ids[one] in p]
    urls |= set(paths)
    compared: list[str] = []
    differences: list[str] = []
    for role in VIEWERS:
        client = client_for(role, people)
        headers = {} if role == "public" else {"HTTP_AUTHORIZATION": f"Bearer {api.token(role)}"}
        for url in sorted(urls):
            status, body, queries = _ask(client, url, headers)
            if status != 404:
                continue
            twin = ID.sub(lambda m: new_id(m.group(1)), url)
            status2, body2, queries2 = _ask(client, twin, headers)
            compared.append(f"{role} {url}")
            body_of = body.replace(url.encode(), b"{url}")
            body2_of = body2.replace(twin.encode(), b"{url}")
            if status2 != 404 or body_of != body2_of:
                differences.append(f"{role} {url}: answers differ ({status} / {status2})")
            elif queries != queries2:
                differences.append(
                    f"{role} {url}: {len(queries)} queries hidden, {len(queries2)} missing\n  "
                    + "\n  ".join(sorted(set(queries) ^ set(queries2)))
                )
    # the walk found hidden objects of several kinds for each viewer (a check that compared
    # nothing would prove nothing)
    assert {c.split()[0] for c in compared} == set(VIEWERS), compared
    assert len({ID.search(c.split()[1]).group(1) for c in compared}) >= 4, compared  # type: ignore[union-attr]
    assert differences == [], "\n".join(differences)
    # both are on the security record, told apart there and only there
    assert SecurityEvent.objects.filter(kind=Kind.DENIED).exists()
    assert SecurityEvent.objects.filter(kind=Kind.MISSING).exists()
