"""The incident page: each step as a form, refusals at the field, seals, questions."""

from __future__ import annotations

import pytest
from django.test import Client

from truceline.accounts.models import User
from truceline.accounts.testing import force_sign_in
from truceline.incidents.models import Incident
from truceline.testing.incidents import make_incident


def as_(people: dict[str, User], username: str) -> Client:
    client = Client()
    force_sign_in(client, people[username])
    return client


def post(client: Client, incident: Incident, action: str, **data: str):  # type: ignore[no-untyped-def]
    return client.post(f"/incidents/{incident.id}/{action}/", data)


@pytest.mark.django_db
def test_refusal_is_shown_at_the_field_and_changes_nothing(people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "received")
    monitor = as_(people, "qa-monitor")
    page = post(monitor, incident, "triage", admissible="no", reason="  ")
    html = page.content.decode()
    assert page.status_code == 422
    assert 'id="reason-err"' in html and 'aria-invalid="true"' in html
    incident.refresh_from_db()
    assert incident.state == "received"
    # An illegal step: the page says what state the incident is in, with a 409.
    page = post(monitor, incident, "open")
    assert page.status_code == 409 and "received" in page.content.decode()
    # A step the viewer may not take: 403; an incident it may not see: 404.
    assert post(as_(people, "pk-liaison"), incident, "triage", admissible="yes").status_code == 403
    assert post(as_(people, "af-liaison"), incident, "triage", admissible="yes").status_code == 404
    assert post(monitor, incident, "no-such-step").status_code == 404


@pytest.mark.django_db
def test_question_and_answer_on_the_page(people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "triaged")
    monitor, filer = as_(people, "qa-monitor"), as_(people, "pk-liaison")
    assert post(monitor, incident, "ask", party="afghanistan", text="?").status_code == 422
    assert post(monitor, incident, "ask", party="pakistan", text="Which post?").status_code == 302
    question = incident.questions.get()
    assert "Which post?" in filer.get("/").content.decode()  # on the liaison's home
    assert "Which post?" not in as_(people, "af-liaison").get("/").content.decode()
    page = post(filer, incident, "answer", question=question.id, answer="")
    assert page.status_code == 422 and f"answer-{question.id}-err" in page.content.decode()
    assert (
        post(filer, incident, "answer", question=question.id, answer="Post 7.").status_code == 302
    )
    assert "Post 7." in monitor.get(f"/incidents/{incident.id}/").content.decode()


@pytest.mark.django_db
def test_sealed_words_never_reach_the_parties_pages(people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "under-verification")
    report = incident.reports.get()
    monitor = as_(people, "qa-monitor")
    sealed = post(
        monitor,
        incident,
        "seal",
        object_type="report",
        object_id=report.id,
        field="narrative",
        passage="Mortar rounds",
        reason="protects the post's position",
    )
    assert sealed.status_code == 302
    for liaison in ("pk-liaison", "af-liaison"):
        html = as_(people, liaison).get(f"/incidents/{incident.id}/").content.decode()
        assert "Mortar rounds" not in html and "[sealed]" in html
    assert "Mortar rounds" in monitor.get(f"/incidents/{incident.id}/").content.decode()
    assert (
        post(
            as_(people, "pk-liaison"),
            incident,
            "seal",
            object_type="report",
            object_id=report.id,
            field="narrative",
            passage="",
            reason="x",
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_report_form_saves_drafts_and_submits_from_one(people) -> None:  # type: ignore[no-untyped-def]
    liaison = as_(people, "pk-liaison")
    saved = liaison.post("/reports/new/", {"narrative": "Shots near the gate", "save_draft": "1"})
    assert saved.status_code == 302 and "?draft=DRF" in saved["Location"]
    page = liaison.get(saved["Location"]).content.decode()
    assert "Shots near the gate" in page and "Draft saved" in page
    draft_id = saved["Location"].split("=")[1]
    assert "Shots near the gate" in liaison.get("/").content.decode()  # listed on the home
    # Nobody else opens it.
    assert as_(people, "af-liaison").get(saved["Location"]).status_code == 404
    assert as_(people, "qa-monitor").get(saved["Location"]).status_code == 404

    # The background save answers JSON and refuses a stale revision with the error shape.
    auto = liaison.post(
        "/reports/drafts/autosave/",
        {"draft": draft_id, "revision": "1", "narrative": "Shots near the gate, 2 hurt"},
    )
    assert auto.status_code == 200 and auto.json()["revision"] == 2
    stale = liaison.post("/reports/drafts/autosave/", {"draft": draft_id, "revision": "1"})
    assert stale.status_code == 409 and stale.json()["error"]["code"] == "conflict"

    filed = liaison.post(
        "/reports/new/",
        {
            "draft": draft_id,
            "category": "shelling",
            "accused_party": "afghanistan",
            "occurred_at": "2025-11-02T04:30",
            "time_precision": "exact",
            "lat": "34.1",
            "lon": "71.1",
            "location_precision": "near",
            "narrative": "Shots near the gate, 2 hurt",
            "confidentiality": "parties",
        },
    )
    assert filed.status_code == 302, filed.content.decode()[:2000]
    assert "Shots near the gate" not in liaison.get("/").content.decode().split("Your filings")[0]


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["received", "under-verification", "published"])
def test_no_form_answers_garbage_with_a_500(people, state: str) -> None:  # type: ignore[no-untyped-def]
    from truceline.incidents.views import ACTIONS

    incident = make_incident(people, state)
    garbage = [
        {},
        {"admissible": "maybe", "party": "nowhere", "question": "QST-x", "reconsideration": "x"},
        {
            "object_type": "report",
            "object_id": "RPT-zzz",
            "field": "narrative",
            "text": "x" * 30000,
        },
        {"accept": "yes", "reasons": "\x00", "determination": "??", "summary": ""},
    ]
    for username in ("qa-monitor", "pk-liaison", "af-liaison"):
        client = as_(people, username)
        for action in ACTIONS:
            for data in garbage:
                status = post(client, incident, action, **data).status_code
                assert status in {302, 400, 403, 404, 409, 422}, (username, action, data, status)
