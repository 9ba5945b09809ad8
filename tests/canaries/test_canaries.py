"""Leak canaries: a unique word planted in each confidential field, then every surface walked
as every role; a canary that reaches a viewer the compartment table excludes fails the test.

Planted: a sealed passage of a report, the report's confidential source, a photo's file name
and its EXIF artist and camera, the accused party's answer before publication (and the
evidence it cites), a draft finding's summary, the name of a person a request concerns, and
the usernames of each party's officer. Walked, as each liaison, a monitor, a signatory, the
admin, the public and a monitor signed in with a password but no second factor yet: every
page the crawler reaches, every GET operation of the served OpenAPI document (with the ids
the story made), every export format, both editions of the periodic report (HTML, and the
PDF's text, document information and XMP: the public's stored editions of fixed periods and
the signed-in readers' report of any dates), the findings feed, every evidence download
(bytes searched for the canaries), every notification each person receives (its email and
its webhook body), every receipt (each ledger entry's, through the API and the page: what a
submission, an answer or a vote hands back) and the ledger's entries, each leaf decoded.
A receipt may carry its holder's own words (world.AUTHOR).
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from truceline.ledger.models import Event
from truceline.notify.models import Notification
from truceline.notify.services import payload_of
from truceline.publications.editions import editions_refresh
from truceline.testing.crawl import crawl
from truceline.testing.tasks import work
from truceline.testing.world import (
    ALLOWED,
    ANSWER,
    AUTHOR,
    RESEALED,
    ROLES,
    SEALED,
    SOURCE,
    api_paths,
    client_for,
    ledger_paths,
    pdf_text,
    plant,
    published_with_sealed_answer,
    read,
    read_entries,
)

NO_CODE = "qa-monitor without its second factor"  # sees what the public sees, at most


@pytest.mark.django_db
def test_no_canary_reaches_a_viewer_the_table_excludes(api, people, settings) -> None:  # type: ignore[no-untyped-def]
    ids = plant(api)
    published_with_sealed_answer(people, RESEALED)  # what the public edition prints
    work()  # the worker drains the outbox: the notifications each person receives
    assert Notification.objects.exists()  # read below, as each person receives them
    today = timezone.now().date()
    first = (today - dt.timedelta(days=30)).isoformat()
    # the public's stored editions: since the ceasefire, and this month (the others the same
    # way; each costs a PDF)
    settings.TRUCELINE_EDITION_LANGUAGES = ["en"]
    month = f"{today:%Y-%m}"
    assert set(editions_refresh(only={"all", month})) == {"all", month}
    any_dates = f"/reports/periodic/any/?from={first}&to={today}"
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
            f"{any_dates}&edition=public&format=html",
            f"{any_dates}&edition=parties&format=html",
            f"/reports/periodic/{month}/",
            "/feeds/findings.atom",
            f"/evidence/{ids['evidence']}/download/",
            f"/evidence/{ids['answer_evidence']}/download/",
        ):
            seen[path] = read(client.get(path))
        # the report as PDF: its text, document information and XMP. The stored editions as
        # every role; the report of any dates (a build each) as each party's liaison only:
        # the mechanism's people may read every canary, so their copies could show no leak
        pdfs = [f"/reports/periodic/{month}.pdf", "/reports/periodic/all.pdf"]
        if role in {"pk-liaison", "af-liaison"}:
            pdfs.append(f"{any_dates}&edition=parties")
        if role == "af-liaison":
            pdfs.append(f"{any_dates}&edition=public")
        for path in pdfs:
            answer = client.get(path)
            is_pdf = answer.get("Content-Type") == "application/pdf"
            seen[path] = pdf_text(answer.content) if is_pdf else read(answer)
            if role != NO_CODE and path.startswith("/reports/periodic/") and "any" not in path:
                assert is_pdf, f"{role} could not fetch {path}"
        # receipts (each entry's, by its number, through the API and the page) and the
        # ledger's entries: read after the walk above, so that what the walk recorded (the
        # downloads) is among them
        receipts: dict[str, str] = {}
        for path in ledger_paths(Event.objects.count()):
            if "/entries" in path:
                seen[path] = read_entries(api.client.get(path, **headers))
            elif path.startswith("/api/"):
                answer = api.client.get(path, **headers)
                if answer.status_code == 200:
                    receipts[path] = read(answer)
            elif path.replace("/ledger/", "/api/v1/ledger/").removesuffix(".json") in receipts:
                # the page's download: the same rule decides, so only where the API answered
                receipts[path] = read(client.get(path))
        seen.update(receipts)
        if role == "pk-liaison":  # a liaison receives the receipts of what it did
            assert len(receipts) >= 4, sorted(receipts)
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
                    if where in receipts and AUTHOR.get(canary) == role:
                        continue  # the holder's own words in the receipt of its own act
                    if role not in allowed:
                        leaks.append(f"{canary} reached {role} at {where}")
    assert surfaces > 100
    # the walk reaches every canary where it may be seen (a walk that saw nothing proves nothing)
    assert {c: sorted(who) for c, who in found.items() if not who} == {}
    assert found[SEALED] >= {"qa-monitor"} and found[SOURCE] >= {"pk-liaison", "qa-monitor"}
    assert found[ANSWER] >= {"af-liaison", "qa-monitor"}
    assert found[RESEALED] >= {"qa-monitor"}
    assert leaks == [], "\n".join(sorted(set(leaks)))
