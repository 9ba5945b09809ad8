"""The compliance grid: figures from the records, a status proposed and confirmed."""

from __future__ import annotations

import datetime as dt

import pytest

from truceline.accounts.testing import fresh_code
from truceline.followup.compliance import indicators, periods
from truceline.followup.services import (
    RequestInput,
    SubjectInput,
    request_answer,
    request_make,
    request_verify,
)
from truceline.scenario.models import Commitment

pytestmark = pytest.mark.django_db


def test_a_verified_hand_over_counts_for_the_party_that_did_it(people) -> None:  # type: ignore[no-untyped-def]
    clause = Commitment.objects.get(pk="action-against-armed-groups")
    month = periods(months=1)[0]

    def figures() -> dict[str, str | None]:
        return {i.slug: i.value for i in indicators(clause, "afghanistan", month)}

    assert figures() == {"requests-answered": "0 of 0", "requests-acted-on": "0 of 0"}
    made = request_make(
        actor=people["pk-liaison"],
        data=RequestInput(
            to_party="afghanistan",
            kind="hand-over",
            grounds="led the attack",
            deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
            subjects=[SubjectInput("A. Person")],
            commitment=clause.pk,
        ),
    )
    assert figures() == {"requests-answered": "0 of 1", "requests-acted-on": "0 of 1"}
    request_answer(actor=people["af-liaison"], request=made, answer="accepted", reasons="")
    request_verify(
        actor=people["qa-monitor"],
        request=made,
        happened=True,
        on=dt.date.today(),
        place="torkham",
        subjects=[made.subjects.get().public_id],
        notes="",
    )
    assert figures() == {"requests-answered": "1 of 1", "requests-acted-on": "1 of 1"}
    # Pakistan's figures are its own
    assert {i.slug: i.value for i in indicators(clause, "pakistan", month)} == {
        "requests-answered": "0 of 0",
        "requests-acted-on": "0 of 0",
    }


def test_a_status_is_proposed_with_reasons_and_confirmed_once(people, login) -> None:  # type: ignore[no-untyped-def]
    url = f"/compliance/no-cross-border-fire/afghanistan/{periods(months=1)[0]}/"
    monitor = login("qa-monitor")
    refused = monitor.post(url, {"step": "propose", "status": "partly", "reasons": ""})
    assert refused.status_code == 422 and 'id="reasons-err"' in refused.content.decode()
    assert (
        monitor.post(
            url, {"step": "propose", "status": "partly", "reasons": "Two incidents."}
        ).status_code
        == 302
    )
    assert "Partly complied (proposed)" in monitor.get("/compliance/").content.decode()
    anonymous_grid = login("pk-liaison").get("/compliance/").content.decode()
    assert "Partly complied (proposed)" in anonymous_grid  # the parties see proposals
    signatory = login("qa-signatory")
    refused = signatory.post(url, {"step": "confirm"})  # signed: a fresh code first
    assert refused.status_code == 422 and 'id="code-err"' in refused.content.decode()
    signed = {"step": "confirm", "code": fresh_code(people["qa-signatory"])}
    assert signatory.post(url, signed).status_code == 302
    page = signatory.get(url).content.decode()
    assert "confirmed by the guarantors" in page
    assert (
        login("qa-monitor")
        .post(url, {"step": "propose", "status": "complied", "reasons": "x"})
        .status_code
        == 409
    )


def test_crossings_open_per_day_from_the_monitors_records(people) -> None:  # type: ignore[no-untyped-def]
    from truceline.geo.services import crossing_status_record
    from truceline.scenario.models import Place

    utc = dt.UTC
    torkham = Place.objects.get(pk="torkham")
    record = dict(actor=people["qa-monitor"], crossing=torkham, source="Monitors' visit")
    crossing_status_record(
        **record, status="closed", audiences=[], since=dt.datetime(2025, 10, 12, tzinfo=utc)
    )
    crossing_status_record(
        **record, status="open", audiences=["trade"], since=dt.datetime(2025, 11, 16, tzinfo=utc)
    )
    crossings = Commitment.objects.get(pk="crossings-reopened")
    value = {i.slug: i.value for i in indicators(crossings, "pakistan", "2025-11")}[
        "crossings-open"
    ]
    total = Place.objects.filter(kind="crossing", retired=False).count()
    assert value == f"0.5 of {total}"  # Torkham open 15 of November's 30 days, the rest never


def test_replies_on_time_count_answers_within_the_window(api) -> None:  # type: ignore[no-untyped-def]
    import time_machine

    from truceline.testing.story import REPORT

    with time_machine.travel(dt.datetime(2025, 11, 3, 8, tzinfo=dt.UTC), tick=True):
        ids = []
        for _ in range(2):
            incident = api.post("/reports", REPORT, as_="pk-liaison")[1]["incident"]["id"]
            api.post(f"/incidents/{incident}/triage", {"admissible": True}, as_="qa-monitor")
            assert api.post(f"/incidents/{incident}/open", as_="qa-monitor")[0] == 200
            ids.append(incident)
        api.post(f"/incidents/{ids[0]}/responses", {"text": "Not us."}, as_="af-liaison")
    fire = Commitment.objects.get(pk="no-cross-border-fire")
    found = {i.slug: i for i in indicators(fire, "afghanistan", "2025-11")}["replies-on-time"]
    assert (found.value, found.records) == ("1 of 2", [ids[0]])


def test_the_grid_api_chooses_its_months_and_hides_what_the_viewer_may_not_open(
    api, people
) -> None:  # type: ignore[no-untyped-def]
    month = periods(months=1)[0]
    status, body = api.get("/compliance?from=2025-11&months=2")
    assert status == 200 and body["periods"] == ["2025-11", "2025-12"]
    assert api.get("/compliance")[1]["periods"] == periods(months=3)
    for bad in ("?months=13", "?months=0", "?from=2025-13", "?from=soon"):
        status, body = api.get(f"/compliance{bad}")
        assert status == 422, bad
    made = request_make(
        actor=people["pk-liaison"],
        data=RequestInput(
            to_party="afghanistan",
            kind="hand-over",
            grounds="led the attack",
            deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
            subjects=[SubjectInput("A. Person")],
            commitment="action-against-armed-groups",
        ),
    )
    request_answer(actor=people["af-liaison"], request=made, answer="accepted", reasons="")
    cell = f"/compliance/action-against-armed-groups/afghanistan/{month}"

    def answered(as_: str | None) -> dict:  # type: ignore[type-arg]
        status, body = api.get(cell, as_=as_)
        assert status == 200
        return {i["slug"]: i for i in body["indicators"]}["requests-answered"]

    # the figure is the same for everyone; the request behind it only for those who see it
    assert answered(None) == answered("af-liaison") | {"records": []}
    assert answered("af-liaison")["records"] == [made.id]
    assert answered("tr-monitor")["records"] == [made.id]
    # propose, then confirm, through the API; the public sees the status once confirmed
    assert api.post(cell, {"status": "complied", "reasons": ""}, as_="qa-monitor")[0] == 422
    assert (
        api.post(cell, {"status": "complied", "reasons": "Answered."}, as_="pk-liaison")[0] == 403
    )
    status, body = api.post(cell, {"status": "complied", "reasons": "Answered."}, as_="qa-monitor")
    assert status == 200 and body["status"] == "complied" and not body["confirmed"]
    assert api.get(cell)[1]["status"] == "not-assessed"
    assert api.post(f"{cell}/confirm", as_="qa-monitor")[0] == 403
    # an act in Türkiye's name: a fresh code from the signatory's authenticator
    status, body = api.post(f"{cell}/confirm", as_="tr-signatory")
    assert status == 422 and "code" in body["error"]["fields"]
    signed = {"code": fresh_code(api.people["tr-signatory"])}
    status, body = api.post(f"{cell}/confirm", signed, as_="tr-signatory")
    assert status == 200 and body["confirmed"]
    assert api.get(cell)[1]["status"] == "complied"
    again = {"code": fresh_code(api.people["qa-signatory"])}
    assert api.post(f"{cell}/confirm", again, as_="qa-signatory")[0] == 409
    assert api.get(f"/compliance/no-such/afghanistan/{month}")[0] == 404
    assert api.get("/compliance/action-against-armed-groups/qatar/2025-11")[0] == 404
    assert api.get("/compliance/action-against-armed-groups/afghanistan/2025-13")[0] == 404


def test_the_grid_page_chooses_its_months(people, login) -> None:  # type: ignore[no-untyped-def]
    page = login("qa-monitor").get("/compliance/?from=2025-10&months=2")
    assert page.status_code == 200
    text = page.content.decode()
    assert ">2025-10<" in text and ">2025-11<" in text and ">2025-12<" not in text
    refused = login("qa-monitor").get("/compliance/?from=October&months=40")
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'id="from-err"' in text and 'id="months-err"' in text
