"""Leak canaries: a unique word planted in each confidential field, then every surface walked
as every role; a canary that reaches a viewer the compartment table excludes fails the test.

Planted: a sealed passage of a report, the report's confidential source, a photo's file name
and its EXIF artist and camera, the accused party's answer before publication (and the
evidence it cites), a draft finding's summary, the name of a person a request concerns, and
the usernames of each party's officer. Walked, as each liaison, a monitor, a signatory, the
admin, the public and a monitor signed in with a password but no second factor yet: every
page the crawler reaches, every GET operation of the served OpenAPI document (with the ids
the story made), every export format, both editions of the periodic report, the findings
feed, every evidence download (bytes searched for the canaries), and every notification each
person receives: its email and its webhook body.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from truceline.notify.models import Notification
from truceline.notify.services import payload_of
from truceline.testing.crawl import crawl
from truceline.testing.tasks import work
from truceline.testing.world import (
    ALLOWED,
    ANSWER,
    ROLES,
    SEALED,
    SOURCE,
    api_paths,
    client_for,
    plant,
    read,
)

NO_CODE = "qa-monitor without its second factor"  # sees what the public sees, at most


@pytest.mark.django_db
def test_no_canary_reaches_a_viewer_the_table_excludes(api, people, settings) -> None:  # type: ignore[no-untyped-def]
    ids = plant(api)
    work()  # the worker drains the outbox: the notifications each person receives
    assert Notification.objects.exists()  # read below, as each person receives them
    today = timezone.now().date()
    first = (today - dt.timedelta(days=30)).isoformat()
    leaks: list[str] = []
    found: dict[str, set[str]] = {c: set() for c in ALLOWED}  # who saw each canary
    surfaces = 0
    paths = api_paths(client_for("qa-monitor", people), ids)  # every GET, as its own list
    for role in [*ROLES, NO_CODE]:
        if role == NO_CODE:  # a monitor's password, and no code from the authenticator yet
            client = Client()
            client.force_login(people["qa-monitor"])
            headers = {}
        else:
            client = client_for(role, people)
            headers = (
                {} if role == "public" else {"HTTP_AUTHORIZATION": f"Bearer {api.token(role)}"}
            )
        seen: dict[str, str] = {}
        for page in crawl(client, start=["/", f"/incidents/{ids['incident']}/"], per_shape=2):
            seen[page.url] = page.html
        for path in paths:
            seen[path] = read(api.client.get(path, **headers))
        for path in (
            f"/reports/periodic/?from={first}&to={today}&edition=public&format=html",
            f"/reports/periodic/?from={first}&to={today}&edition=parties&format=html",
            "/feeds/findings.atom",
            f"/evidence/{ids['evidence']}/download/",
            f"/evidence/{ids['answer_evidence']}/download/",
        ):
            seen[path] = read(client.get(path))
        # what reaches the person outside the product: each notification's email (subject
        # and text) and the body its webhooks are sent, built as the worker builds them
        if role not in {"public", NO_CODE}:
            for note in Notification.objects.filter(user=people[role]):
                body = json.dumps(payload_of(note), ensure_ascii=False)
                seen[f"notification {note.public_id}"] = f"{note.subject}\n{note.body}\n{body}"
        surfaces += len(seen)
        for where, text in seen.items():
            for canary, allowed in ALLOWED.items():
                if canary in text:
                    found[canary].add(role)
                    if role not in allowed:
                        leaks.append(f"{canary} reached {role} at {where}")
    assert surfaces > 100
    # the walk reaches every canary where it may be seen (a walk that saw nothing proves nothing)
    assert {c: sorted(who) for c, who in found.items() if not who} == {}
    assert found[SEALED] >= {"qa-monitor"} and found[SOURCE] >= {"pk-liaison", "qa-monitor"}
    assert found[ANSWER] >= {"af-liaison", "qa-monitor"}
    assert leaks == [], "\n".join(sorted(set(leaks)))
