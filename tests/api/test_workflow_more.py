"""Drafts, reconsideration that reopens, and the shape of refusals — through HTTP only."""

import pytest

from truceline.testing.story import FINDING, REPORT


def _published(api) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    status, body = api.post("/reports", REPORT, as_="pk-liaison")
    assert status == 201
    incident = body["incident"]["id"]
    api.post(f"/incidents/{incident}/triage", {"admissible": True}, as_="qa-monitor")
    api.post(f"/incidents/{incident}/open", as_="qa-monitor")
    finding = api.post(f"/incidents/{incident}/finding", FINDING, as_="qa-monitor")[1]["id"]
    for signatory in ("qa-signatory", "tr-signatory"):
        assert api.vote(finding, {"vote": "endorse"}, as_=signatory)[0] == 201
    for liaison in ("pk-liaison", "af-liaison"):
        api.post(f"/findings/{finding}/acknowledge", as_=liaison)
    assert api.post(f"/findings/{finding}/publish", as_="qa-monitor")[0] == 200
    return incident, finding


@pytest.mark.django_db
def test_drafts_are_private_versioned_and_end_in_a_report(api) -> None:  # type: ignore[no-untyped-def]
    status, draft = api.post("/drafts", {"data": {"narrative": "Firing near"}}, as_="pk-liaison")
    assert status == 201 and draft["revision"] == 1
    # Nobody else, not even the mechanism, reads a party's unsent draft.
    for other in ("af-liaison", "qa-monitor", "admin"):
        assert api.get(f"/drafts/{draft['id']}", as_=other)[0] == 404
    status, saved = api.call(
        "PUT",
        f"/drafts/{draft['id']}",
        "pk-liaison",
        {"data": {"narrative": "Firing near Torkham"}, "revision": 1},
    )
    assert (status, saved["revision"]) == (200, 2)
    # A second device that started from revision 1 is told, not silently overwritten.
    status, stale = api.call(
        "PUT", f"/drafts/{draft['id']}", "pk-liaison", {"data": {}, "revision": 1}
    )
    assert status == 409 and stale["error"]["code"] == "conflict"
    assert api.get(f"/drafts/{draft['id']}", as_="pk-liaison")[1]["data"] == {
        "narrative": "Firing near Torkham"
    }
    status, big = api.post("/drafts", {"data": {"narrative": "x" * 70_000}}, as_="pk-liaison")
    assert status == 422 and "data" in big["error"]["fields"]

    status, body = api.post("/reports", dict(REPORT, draft=draft["id"]), as_="pk-liaison")
    assert status == 201
    done = api.get(f"/drafts/{draft['id']}", as_="pk-liaison")[1]
    assert (done["state"], done["report"]) == ("submitted", body["report"]["id"])
    assert api.get("/drafts", as_="pk-liaison")[1]["count"] == 0
    assert api.post("/reports", dict(REPORT, draft=draft["id"]), as_="pk-liaison")[0] == 409


@pytest.mark.django_db
def test_accepted_reconsideration_reopens_and_the_old_finding_stays_public(api) -> None:  # type: ignore[no-untyped-def]
    incident, finding = _published(api)
    status, asked = api.post(
        f"/incidents/{incident}/reconsideration", {"reasons": "New witnesses."}, as_="af-liaison"
    )
    assert status == 201
    # One pending request per party.
    assert (
        api.post(f"/incidents/{incident}/reconsideration", {"reasons": "x"}, as_="af-liaison")[0]
        == 409
    )
    # Pakistan does not see Afghanistan's request, nor does the public.
    assert api.get("/reconsiderations", as_="pk-liaison")[1]["count"] == 0
    assert (
        api.post(
            f"/reconsiderations/{asked['id']}/decide",
            {"accept": True, "reasons": "ok"},
            as_="pk-liaison",
        )[0]
        == 404
    )
    status, decided = api.post(
        f"/reconsiderations/{asked['id']}/decide",
        {"accept": True, "reasons": "The new witnesses must be heard."},
        as_="qa-monitor",
    )
    assert (status, decided["decision"]) == (200, "accepted")
    public = api.get(f"/incidents/{incident}")[1]
    assert public["state"] == "under-verification"
    old = api.get(f"/findings/{finding}")[1]
    assert old["status"] == "superseded"  # kept, still public, marked superseded

    # A new answer, then a revised finding continuing the line.
    assert (
        api.post(f"/incidents/{incident}/responses", {"text": "Hear them."}, as_="af-liaison")[0]
        == 201
    )
    assert api.get(f"/incidents/{incident}")[1]["responses"] == []  # not public until published
    assert len(api.get(f"/incidents/{incident}", as_="af-liaison")[1]["responses"]) == 1
    status, revised = api.post(f"/incidents/{incident}/finding", FINDING, as_="qa-monitor")
    assert status == 201 and (revised["revision"], revised["supersedes"]) == (2, finding)
    assert api.get(f"/incidents/{incident}", as_="qa-monitor")[1]["state"] == "finding-drafted"


@pytest.mark.django_db
def test_inadmissible_ruling_reconsidered(api) -> None:  # type: ignore[no-untyped-def]
    status, body = api.post("/reports", REPORT, as_="pk-liaison")
    incident = body["incident"]["id"]
    api.post(
        f"/incidents/{incident}/triage", {"admissible": False, "reason": "dup"}, as_="qa-monitor"
    )
    assert (
        api.post(f"/incidents/{incident}/reconsideration", {"reasons": ""}, as_="pk-liaison")[0]
        == 422
    )
    asked = api.post(
        f"/incidents/{incident}/reconsideration", {"reasons": "Not a duplicate."}, as_="pk-liaison"
    )[1]
    assert (
        api.post(
            f"/reconsiderations/{asked['id']}/decide",
            {"accept": False, "reasons": ""},
            as_="qa-monitor",
        )[0]
        == 422
    )
    status, _ = api.post(
        f"/reconsiderations/{asked['id']}/decide",
        {"accept": True, "reasons": "Right."},
        as_="qa-monitor",
    )
    assert status == 200
    after = api.get(f"/incidents/{incident}", as_="pk-liaison")[1]
    assert after["state"] == "triaged" and after["inadmissible_reason"] is None
    assert after["reconsiderations"][0]["decision"] == "accepted"
    assert "incident.reconsidered" in [e["kind"] for e in after["timeline"]]


@pytest.mark.django_db
def test_seals_refuse_bad_input_and_other_people(api) -> None:  # type: ignore[no-untyped-def]
    report = api.post("/reports", REPORT, as_="pk-liaison")[1]["report"]["id"]
    body = {"object_type": "report", "object_id": report, "field": "narrative", "reason": "w"}
    assert api.post("/seals", dict(body, passage="Gul"), as_="pk-liaison")[0] == 403
    assert api.post("/seals", dict(body, passage="Gul"), as_="af-liaison")[0] == 404
    status, err = api.post("/seals", dict(body, passage="nowhere"), as_="qa-monitor")
    assert status == 422 and "passage" in err["error"]["fields"]
    status, err = api.post("/seals", dict(body, field="category"), as_="qa-monitor")
    assert status == 422 and "field" in err["error"]["fields"]
    assert api.post("/seals", dict(body, object_id="RPT-nope"), as_="qa-monitor")[0] == 404
    # A whole-field seal: the filer itself reads "[sealed]"; the mechanism the original.
    assert api.post("/seals", dict(body, field="sources", passage=""), as_="qa-monitor")[0] == 201
    assert api.get(f"/reports/{report}", as_="pk-liaison")[1]["sources"] == ["[sealed]"]
    assert api.get(f"/reports/{report}", as_="qa-monitor")[1]["sources"] == REPORT["sources"]
    assert api.get("/seals", as_="pk-liaison")[1]["count"] == 0
    assert api.get("/seals", as_="qa-monitor")[1]["count"] == 1
