"""Requests between the parties through the API: made, answered, verified; names seen by the
two parties and the mediators only, each reading on the ledger; the public gets counts."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import time_machine

from truceline.ledger.models import Event

pytestmark = pytest.mark.django_db

LATER = (dt.datetime.now(dt.UTC) + dt.timedelta(days=7)).isoformat()
HAND_OVER = {
    "to_party": "afghanistan",
    "kind": "hand-over",
    "subjects": [
        {"name": "Qari Abdul Wali", "details": "commander, alias Qari Sahib"},
        {"name": "Noor Rahman", "details": ""},
    ],
    "grounds": "Both led the attack on the Torkham post on 2 November.",
    "deadline": LATER,
    "commitment": "territory-not-used-for-attacks",
    "place": "torkham",
}


def test_a_hand_over_from_request_to_verification(api) -> None:  # type: ignore[no-untyped-def]
    status, made = api.post("/requests", HAND_OVER, as_="pk-liaison")
    assert status == 201, made
    assert made["state"] == "open" and made["subject_count"] == 2
    assert made["receipt"]["event"]["kind"] == "request.made"
    rid = made["id"]
    # the parties concerned and the mediators see it, with the names; each reading recorded
    reads = Event.objects.filter(kind="request.subjects-read", object_id=rid).count()
    for who in ("pk-liaison", "af-liaison", "qa-monitor", "tr-signatory"):
        status, seen = api.get(f"/requests/{rid}", as_=who)
        assert status == 200 and seen["subjects"][0]["name"] == "Qari Abdul Wali"
    read_events = Event.objects.filter(kind="request.subjects-read", object_id=rid)
    assert read_events.count() == reads + 4
    assert "Qari" not in read_events.last().payload  # the record of a reading names nobody
    assert api.get(f"/requests/{rid}")[0] == 401
    # lists carry no names
    status, listed = api.get("/requests", as_="af-liaison")
    assert status == 200 and "Qari" not in json.dumps(listed)
    # the asking party cannot answer its own request; a refusal needs reasons
    assert api.post(f"/requests/{rid}/answer", {"answer": "accepted"}, as_="pk-liaison")[0] == 403
    status, body = api.post(f"/requests/{rid}/answer", {"answer": "refused"}, as_="af-liaison")
    assert status == 422 and "reasons" in body["error"]["fields"]
    status, answered = api.post(f"/requests/{rid}/answer", {"answer": "accepted"}, as_="af-liaison")
    assert status == 200 and answered["answer"] == "accepted" and not answered["answered_late"]
    assert api.post(f"/requests/{rid}/answer", {"answer": "accepted"}, as_="af-liaison")[0] == 409
    # the monitors record the hand-over at Torkham, of the two people named
    status, seen = api.get(f"/requests/{rid}", as_="qa-monitor")
    ids = [s["id"] for s in seen["subjects"]]
    verification = {
        "happened": True,
        "on": dt.date.today().isoformat(),
        "place": "torkham",
        "subjects": ids,
        "notes": "Handed over at the gate, 10:20.",
    }
    assert api.post(f"/requests/{rid}/verification", verification, as_="af-liaison")[0] == 403
    status, verified = api.post(f"/requests/{rid}/verification", verification, as_="qa-monitor")
    assert status == 201 and verified["state"] == "verified"
    assert verified["verification"]["place"] == "torkham"
    assert sorted(verified["verification"]["subjects"]) == sorted(ids)
    # the public: counts by kind and outcome, never a name
    status, stats = api.get("/requests/stats")
    assert status == 200 and "Qari" not in json.dumps(stats)
    assert {"kind": "hand-over", "state": "verified", "answer": "accepted", "count": 1} in stats[
        "items"
    ]


def test_bad_requests_are_refused_and_change_nothing(api) -> None:  # type: ignore[no-untyped-def]
    api.token("pk-liaison")
    api.token("qa-monitor")  # tokens are events too: made before counting
    before = Event.objects.count()
    for change, field in (
        ({"to_party": "pakistan"}, "to_party"),
        ({"to_party": "qatar"}, "to_party"),
        ({"subjects": []}, "subjects"),
        ({"deadline": "2020-01-01T00:00:00Z"}, "deadline"),
        ({"place": "atlantis"}, "place"),
        ({"commitment": "no-such-clause"}, "commitment"),
    ):
        status, body = api.post("/requests", {**HAND_OVER, **change}, as_="pk-liaison")
        assert status == 422 and field in body["error"]["fields"], (change, body)
    assert api.post("/requests", HAND_OVER, as_="qa-monitor")[0] == 403
    assert Event.objects.count() == before


def test_an_answer_after_the_deadline_is_kept_and_marked_late(api) -> None:  # type: ignore[no-untyped-def]
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    _s, made = api.post("/requests", {**HAND_OVER, "deadline": soon}, as_="pk-liaison")
    api.token("af-liaison")
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        status, answered = api.post(
            f"/requests/{made['id']}/answer",
            {"answer": "partly", "reasons": "One of the two is not in our custody."},
            as_="af-liaison",
        )
    assert status == 200 and answered["answered_late"] and answered["answer"] == "partly"


def test_overdue_requests_reach_the_monitors_and_open_ones_the_party_asked(api, login) -> None:  # type: ignore[no-untyped-def]
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    _s, made = api.post("/requests", {**HAND_OVER, "deadline": soon}, as_="pk-liaison")
    assert made["id"] in login("af-liaison").get("/").content.decode()
    assert made["id"] not in login("qa-monitor").get("/").content.decode()  # not overdue yet
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=2)):
        home = login("qa-monitor").get("/").content.decode()
    assert made["id"] in home and "had until" in home
