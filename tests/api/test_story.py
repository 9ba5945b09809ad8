"""The workflow story driven through the HTTP API alone, as DESIGN.md's Contracts write it."""

import pytest

from truceline.ledger.verify import check_receipt
from truceline.testing.story import FINDING, REPORT


@pytest.mark.django_db
def test_story_through_the_api(api, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_CHECKPOINT_ENTRIES = 1  # a checkpoint after every entry
    # Pakistan's liaison files an urgent allegation.
    status, body = api.post("/reports", REPORT, as_="pk-liaison")
    assert status == 201, body
    report, incident_id = body["report"], body["incident"]["id"]
    assert body["incident"]["state"] == "received"
    receipt = body["receipt"]
    assert receipt["event"]["object_id"] == body["report"]["id"] and len(receipt["salt"]) == 64
    trusted = [k["vkey"] for k in api.get("/ledger/keys")[1]["keys"]]
    problems, facts = check_receipt(receipt, trusted)
    assert not problems and any("is included in the tree" in f for f in facts), facts
    # Derived at write time (the report is at Torkham, on the border, in the Khyber sector).
    geo = report["geo"]
    assert (geo["country"], geo["sector"], geo["nearest_crossing"]) == ("PK", "khyber", "torkham")
    assert geo["distance_to_border_km"] < 5 and "flag" not in geo  # the monitors' note
    assert report["casualties"] == {
        "killed": {"security": [2, 2]},
        "injured": {"civilians": [3, 5]},
    }
    assert report["filed_by"] == "pk-liaison"

    # Afghanistan sees nothing of it yet: 404, and it is not in its lists.
    assert api.get(f"/incidents/{incident_id}", as_="af-liaison")[0] == 404
    assert api.get(f"/reports/{report['id']}", as_="af-liaison")[0] == 404
    assert api.get("/incidents", as_="af-liaison")[1]["count"] == 0
    assert api.get(f"/incidents/{incident_id}")[0] == 404

    # A monitor triages (urgent is first in the queue), assigns and opens it.
    queue = api.get("/incidents?state=received", as_="qa-monitor")[1]
    assert queue["items"][0]["id"] == incident_id and queue["items"][0]["urgent"]
    assert (
        api.post(f"/incidents/{incident_id}/open", as_="qa-monitor")[1]["error"]["code"]
        == "illegal-transition"
    )
    status, body = api.post(
        f"/incidents/{incident_id}/triage", {"admissible": True}, as_="qa-monitor"
    )
    assert (status, body["state"]) == (200, "triaged")
    status, body = api.post(
        f"/incidents/{incident_id}/assign", {"assignee": "tr-monitor"}, as_="qa-monitor"
    )
    assert (status, body["assigned_to"]) == (200, "tr-monitor")
    # The monitor asks the filer a question; Pakistan's liaison answers on the timeline.
    status, question = api.post(
        f"/incidents/{incident_id}/questions",
        {"party": "pakistan", "text": "How many attackers crossed?"},
        as_="tr-monitor",
    )
    assert status == 201 and question["answer"] is None
    assert api.get("/questions?answered=false", as_="pk-liaison")[1]["count"] == 1
    assert api.get(f"/incidents/{incident_id}/questions", as_="af-liaison")[0] in {404, 405}
    status, answered = api.post(
        f"/questions/{question['id']}/answer", {"answer": "About twenty."}, as_="pk-liaison"
    )
    assert status == 200 and answered["answer"] == "About twenty."
    assert (
        api.post(f"/questions/{question['id']}/answer", {"answer": "x"}, as_="pk-liaison")[0] == 409
    )
    kinds = [
        e["kind"] for e in api.get(f"/incidents/{incident_id}", as_="pk-liaison")[1]["timeline"]
    ]
    assert "incident.question-answered" in kinds

    # The witness's name is sealed before the accused party sees anything.
    status, seal = api.post(
        "/seals",
        {
            "object_type": "report",
            "object_id": report["id"],
            "field": "narrative",
            "passage": "Gul Khan",
            "reason": "protects a witness",
        },
        as_="tr-monitor",
    )
    assert status == 201, seal

    status, body = api.post(f"/incidents/{incident_id}/open", as_="tr-monitor")
    assert (status, body["state"]) == (200, "under-verification") and body["reply_due_at"]

    # Afghanistan's liaison sees the substance without the filer's identity, and replies.
    status, seen = api.get(f"/reports/{report['id']}", as_="af-liaison")
    assert status == 200
    assert seen["narrative"] == REPORT["narrative"].replace("Gul Khan", "[sealed]")
    assert (
        api.get(f"/reports/{report['id']}", as_="qa-monitor")[1]["narrative"]
        == (REPORT["narrative"])
    )
    for hidden in ("filed_by", "filing_party", "filing_organisation", "sources", "versions"):
        assert hidden not in seen
    status, incident = api.get(f"/incidents/{incident_id}", as_="af-liaison")
    assert status == 200 and "pk-liaison" not in str(incident)
    assert (
        api.post(f"/incidents/{incident_id}/responses", {"text": "x"}, as_="pk-liaison")[0] == 403
    )
    status, response = api.post(
        f"/incidents/{incident_id}/responses",
        {
            "text": "The attackers are Pakistani nationals.",
            "counter_claims": "No crossing took place.",
        },
        as_="af-liaison",
    )
    assert status == 201 and response["late"] is False

    # A monitor drafts a finding; a liaison may not.
    assert api.post(f"/incidents/{incident_id}/finding", FINDING, as_="pk-liaison")[0] == 403
    status, finding = api.post(f"/incidents/{incident_id}/finding", FINDING, as_="qa-monitor")
    assert status == 201 and finding["status"] == "draft"
    assert api.get(f"/findings/{finding['id']}", as_="af-liaison")[0] == 404  # not endorsed yet

    # Qatar endorses, Türkiye dissents with reasons; the quorum (2) cannot be reached.
    assert api.vote(finding["id"], {"vote": "dissent"}, as_="tr-signatory")[0] == 422
    assert api.vote(finding["id"], {"vote": "endorse"}, as_="qa-monitor")[0] == 403
    status, after = api.vote(finding["id"], {"vote": "endorse"}, as_="qa-signatory")
    assert status == 201 and after["status"] == "draft"
    assert api.vote(finding["id"], {"vote": "endorse"}, as_="qa-signatory")[0] == 409
    status, after = api.vote(
        finding["id"],
        {"vote": "dissent", "reasons": "Attribution to Afghan territory is not established."},
        as_="tr-signatory",
    )
    assert status == 201 and after["status"] == "draft"

    # The monitor revises; the old finding is kept, superseded; both guarantors endorse.
    revised_body = dict(FINDING, confidence="medium", determination="likely-violation")
    status, revised = api.post(f"/incidents/{incident_id}/finding", revised_body, as_="qa-monitor")
    assert status == 201 and revised["supersedes"] == finding["id"] and revised["revision"] == 2
    assert api.get(f"/findings/{finding['id']}", as_="qa-monitor")[1]["status"] == "superseded"
    assert api.vote(finding["id"], {"vote": "endorse"}, as_="tr-signatory")[0] == 409
    for signatory in ("qa-signatory", "tr-signatory"):
        status, after = api.vote(revised["id"], {"vote": "endorse"}, as_=signatory)
        assert status == 201
    assert after["status"] == "endorsed" and after["embargo_until"]
    status, check = api.get(f"/findings/{revised['id']}/verify", as_="qa-monitor")
    assert status == 200 and check["valid"] and len(check["votes"]) == 2

    # Publication waits for the embargo or every party's acknowledgement.
    assert api.post(f"/findings/{revised['id']}/publish", as_="qa-monitor")[0] == 409
    assert api.get(f"/findings/{revised['id']}")[0] == 404
    for liaison in ("pk-liaison", "af-liaison"):
        status, _ = api.post(f"/findings/{revised['id']}/acknowledge", as_=liaison)
        assert status == 200
    status, published = api.post(f"/findings/{revised['id']}/publish", as_="qa-monitor")
    assert (status, published["status"]) == (200, "published")

    # An anonymous visitor reads it, with the dissent on the superseded revision shown
    # beside... and the published response.
    status, public = api.get(f"/findings/{revised['id']}")
    assert status == 200 and {v["vote"] for v in public["votes"]} == {"endorse"}
    status, incident = api.get(f"/incidents/{incident_id}")
    assert status == 200 and incident["state"] == "published"
    assert incident["responses"][0]["text"] == "The attackers are Pakistani nationals."
    assert incident["reports"] == []  # the public never sees reports
    assert api.get("/findings")[1]["count"] == 1

    # Afghanistan asks for reconsideration; the monitors refuse, with reasons.
    status, asked = api.post(
        f"/incidents/{incident_id}/reconsideration",
        {"reasons": "The attackers were not from Afghanistan."},
        as_="af-liaison",
    )
    assert status == 201 and asked["subject"] == "finding"
    status, decided = api.post(
        f"/reconsiderations/{asked['id']}/decide",
        {"accept": False, "reasons": "No new evidence was offered."},
        as_="qa-monitor",
    )
    assert (status, decided["decision"]) == (200, "refused")
    assert api.get(f"/incidents/{incident_id}")[1]["state"] == "published"
