"""The next step, shown: publishing only once the embargo is over, with its end and who has
acknowledged until then; no judgement or vote preselected; a refused vote keeps its reasons."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from truceline.accounts.models import User
from truceline.accounts.testing import force_sign_in
from truceline.findings.models import Finding
from truceline.findings.services import finding_acknowledge
from truceline.testing.incidents import make_incident


def as_(people: dict[str, User], username: str) -> Client:
    client = Client()
    force_sign_in(client, people[username])
    return client


@pytest.mark.django_db
def test_publish_is_offered_only_after_the_embargo(people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "endorsed")
    finding = Finding.objects.get(incident=incident, status="endorsed")
    monitor = as_(people, "qa-monitor")
    publish = f"/findings/{finding.id}/publish/"
    page = monitor.get(f"/incidents/{incident.id}/").content.decode()
    assert "Embargo until" in page and publish not in page
    # the moment in the reader's zone and in UTC, for both parties to agree on
    assert re.search(r'Embargo until <time datetime="[^"]+Z" dir="ltr">[^<]+</time>', page)
    assert "Acknowledged by: —" in page
    finding_acknowledge(finding=finding, actor=people["pk-liaison"])
    page = monitor.get(f"/incidents/{incident.id}/").content.decode()
    assert "Acknowledged by: Pakistan" in page and publish not in page
    finding_acknowledge(finding=finding, actor=people["af-liaison"])
    page = monitor.get(f"/incidents/{incident.id}/").content.decode()
    assert publish in page  # every party concerned acknowledged: the embargo ended early


@pytest.mark.django_db
def test_no_judgement_or_vote_is_preselected_and_a_refused_vote_keeps_its_reasons(people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "under-verification")
    page = as_(people, "qa-monitor").get(f"/incidents/{incident.id}/").content.decode()
    for name in ("determination", "confidence", "grade", "intent"):
        select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
        assert select, name
        assert '<option value="" selected>' in select[1], name
    drafted = make_incident(people, "finding-drafted")
    finding = Finding.objects.get(incident=drafted, status="draft")
    signatory = as_(people, "qa-signatory")
    page = signatory.get(f"/incidents/{drafted.id}/").content.decode()
    assert (
        'name="vote"' in page
        and "checked" not in re.findall(r'<input type="radio" name="vote"[^>]*>', page)[0]
    )
    refused = signatory.post(
        f"/findings/{finding.id}/vote/",
        {"vote": "dissent", "reasons": "The attribution rests on one source.", "code": "000000"},
    )
    assert refused.status_code in (403, 422)
    assert "The attribution rests on one source." in refused.content.decode()
