"""Measures on a published finding: decided and signed by a guarantor, seen by the parties
concerned, public once announced, overdue when their date passes undone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from truceline.accounts.testing import fresh_code
from truceline.findings.keys import verify
from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db


def test_a_demand_from_decision_to_done(api, people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "published")
    finding = incident.findings.get(status="published")
    due = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    demand = {
        "party": "afghanistan",
        "kind": "demand",
        "text": "Arrest the commanders named in request REQ-… and report to the mechanism.",
        "due": due,
    }
    assert api.post(f"/findings/{finding.pk}/measures", demand, as_="qa-monitor")[0] == 403
    status, body = api.post(
        f"/findings/{finding.pk}/measures", {**demand, "due": None}, as_="qa-signatory"
    )
    assert status == 422 and "due" in body["error"]["fields"]
    # a signature in Qatar's name: a fresh code from the signatory's authenticator, even so
    status, body = api.post(f"/findings/{finding.pk}/measures", demand, as_="qa-signatory")
    assert status == 422 and "code" in body["error"]["fields"]
    signed = {**demand, "code": fresh_code(people["qa-signatory"])}
    status, measure = api.post(f"/findings/{finding.pk}/measures", signed, as_="qa-signatory")
    assert status == 201, measure
    assert measure["receipt"]["event"]["kind"] == "measure.decided"
    # the signature checks against the guarantor's published key
    keys = {k["key_id"]: k["public_key"] for k in api.get("/keys")[1]["items"]}
    assert verify(keys[measure["key_id"]], measure["statement"].encode(), measure["signature"])
    mid = measure["id"]
    # parties concerned see it at once; the public once it is announced
    assert api.get(f"/measures/{mid}", as_="af-liaison")[0] == 200
    assert api.get(f"/measures/{mid}", as_="pk-liaison")[0] == 200
    assert api.get(f"/measures/{mid}")[0] == 404
    assert api.post(f"/measures/{mid}/announce", as_="af-liaison")[0] == 403
    assert api.post(f"/measures/{mid}/announce", as_="qa-monitor")[0] == 200
    assert api.get(f"/measures/{mid}")[0] == 200
    # overdue once its date passes undone; done records it, late
    api.token("qa-monitor")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=12)):
        assert api.get(f"/measures/{mid}")[1]["overdue"] is True
        status, done = api.post(
            f"/measures/{mid}/done", {"note": "Two arrests seen."}, as_="qa-monitor"
        )
    assert status == 200 and done["done_at"] and done["overdue"] is False
    assert api.post(f"/measures/{mid}/done", {"note": "again"}, as_="qa-monitor")[0] == 409


def test_measures_follow_only_published_findings(api, people) -> None:  # type: ignore[no-untyped-def]
    incident = make_incident(people, "endorsed")
    finding = incident.findings.get()
    status, _body = api.post(
        f"/findings/{finding.pk}/measures",
        {
            "party": "afghanistan",
            "kind": "warning",
            "text": "A warning.",
            "code": fresh_code(people["qa-signatory"]),
        },
        as_="qa-signatory",
    )
    assert status == 409


def test_measures_on_the_incident_page(people, login) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    from truceline.followup.models import Measure

    incident = make_incident(people, "published")
    finding = incident.findings.get(status="published")
    page = reverse("incidents:detail", args=[incident.pk])
    signatory = login("tr-signatory")
    assert "Decide a measure" in signatory.get(page).content.decode()
    decide = reverse("followup:measure_step", args=[finding.pk, "decide"])
    refused = signatory.post(
        decide, {"party": "afghanistan", "kind": "demand", "text": "Act."}, HTTP_REFERER=page
    )
    assert refused.status_code == 302 and not Measure.objects.exists()  # a demand needs a date
    due = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    demand = {"party": "afghanistan", "kind": "demand", "text": "Act.", "due": due}
    signatory.post(decide, demand, HTTP_REFERER=page)
    assert not Measure.objects.exists()  # signed: not without a fresh code
    signatory.post(decide, {**demand, "code": fresh_code(people["tr-signatory"])})
    measure = Measure.objects.get()
    assert "not yet announced" in login("af-liaison").get(page).content.decode()
    assert "Decide a measure" not in login("af-liaison").get(page).content.decode()
    monitor = login("qa-monitor")
    monitor.post(reverse("followup:measure_step", args=[measure.pk, "announce"]))
    monitor.post(reverse("followup:measure_step", args=[measure.pk, "done"]), {"note": "Seen."})
    measure.refresh_from_db()
    assert measure.announced_at and measure.done_at
    from django.test import Client

    public = Client().get(page).content.decode()
    assert "Measures decided by the guarantors" in public and "Act." in public


def test_the_measures_page_lists_what_each_viewer_may_see(people, login, client) -> None:  # type: ignore[no-untyped-def]
    from truceline.followup.services import measure_announce, measure_decide

    finding = make_incident(people, "published").findings.get(status="published")
    late = measure_decide(
        actor=people["qa-signatory"],
        finding=finding,
        party="afghanistan",
        kind="demand",
        text="Hand over the commanders.",
        due=dt.date.today() + dt.timedelta(days=3),
        code=fresh_code(people["qa-signatory"]),
    )
    quiet = measure_decide(
        actor=people["tr-signatory"],
        finding=finding,
        party="afghanistan",
        kind="warning",
        text="A private warning.",
        due=None,
        code=fresh_code(people["tr-signatory"]),
    )
    measure_announce(actor=people["qa-monitor"], measure=late)
    anonymous = client.get("/measures/").content.decode()
    assert "Hand over the commanders." in anonymous and "A private warning." not in anonymous
    party = login("af-liaison").get("/measures/").content.decode()
    assert "A private warning." in party and "not yet announced" in party
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=5)):
        overdue = login("qa-monitor").get("/measures/?state=overdue").content.decode()
    assert "Hand over the commanders." in overdue and "A private warning." not in overdue
    assert quiet.pk not in overdue
    done = login("qa-monitor").get("/measures/?state=done&party=pakistan").content.decode()
    assert "No measure." in done
