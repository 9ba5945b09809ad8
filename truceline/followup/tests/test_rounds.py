"""Rounds of talks: the bundled ones, and rounds the mechanism records, announces and applies."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from truceline.accounts.testing import fresh_code
from truceline.core.ids import looks_like
from truceline.followup.compliance import indicators, periods
from truceline.followup.rounds import DecisionInput, RoundInput, round_announce, round_record
from truceline.ledger.models import Event
from truceline.scenario.models import Commitment, Round
from truceline.scenario.services import scenario_load_file
from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db

ROUND = {
    "title": "Istanbul talks, third round",
    "venue": "Istanbul, Türkiye",
    "starts": "2026-01-12",
    "ends": "2026-01-13",
    "mediators": ["qatar", "turkiye"],
    "delegations": [
        {"organisation": "pakistan", "head": "A. Head", "members": ["B. Member"]},
        {"organisation": "afghanistan", "head": "C. Head"},
    ],
    "agenda": ["Hand-overs", "Crossings"],
    "outcome": "Two clauses changed, one added.",
    "decisions": [
        {
            "kind": "amend-commitment",
            "commitment": "crossings-reopened",
            "text": "Torkham and Chaman reopen for trade within a week.",
            "clause": "The parties shall reopen Torkham and Chaman for trade within seven days.",
        },
        {
            "kind": "retire-commitment",
            "commitment": "action-against-armed-groups",
            "text": "Replaced by a joint hand-over procedure.",
        },
        {
            "kind": "create-commitment",
            "commitment": "joint-hand-over-procedure",
            "title": "Joint hand-over procedure",
            "clause": "Hand-overs take place at Torkham in the monitors' presence.",
            "parties": ["pakistan", "afghanistan"],
            "text": "A joint hand-over procedure is set up.",
        },
        {"kind": "next-round", "text": "Meet again in March.", "date": "2026-03-02"},
    ],
}


def test_the_bundled_rounds_with_delegations_and_decisions(api) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get("/rounds")
    assert status == 200
    rounds = {r["slug"]: r for r in body["items"]}
    assert list(rounds) == ["doha-2025-10", "istanbul-2025-10", "istanbul-2025-11"]
    doha = rounds["doha-2025-10"]
    assert doha["announced_at"] is not None and doha["recorded"] is False
    heads = {d["organisation"]: d["head"] for d in doha["delegations"]}
    assert heads == {"pakistan": "Khawaja Muhammad Asif", "afghanistan": "Mullah Mohammad Yaqoob"}
    assert doha["agenda"] and doha["outcome"]
    status, body = api.get("/commitments")
    history = {c["slug"]: c["history"] for c in body["items"]}
    rounds_of = {s: [h["round"] for h in h_ if h["round"]] for s, h_ in history.items()}
    assert rounds_of["no-cross-border-fire"] == ["doha-2025-10"]
    assert rounds_of["territory-not-used-for-attacks"] == ["istanbul-2025-10"]
    # and the file's own load, with its ledger entry
    assert history["no-cross-border-fire"][-1]["kind"] == "scenario.commitment.created"


def test_a_recorded_round_is_the_mediators_until_announced(api) -> None:  # type: ignore[no-untyped-def]
    status, body = api.post("/rounds", ROUND, as_="qa-monitor")
    assert status == 201, body
    slug = body["slug"]
    # a random id: nothing in it says where or when the talks were before they are announced
    assert looks_like("RND", slug) and "istanbul" not in slug and body["announced_at"] is None
    assert body["receipt"]["event"]["kind"] == "round.recorded"
    # nothing has changed in the agreement yet
    assert Commitment.objects.get(pk="crossings-reopened").text.startswith("The parties shall")
    assert not Commitment.objects.filter(pk="joint-hand-over-procedure").exists()
    # the public and the parties do not see it; the mediators do
    assert api.get(f"/rounds/{slug}")[0] == 404
    assert api.get(f"/rounds/{slug}", as_="pk-liaison")[0] == 404
    assert slug not in [r["slug"] for r in api.get("/rounds", as_="af-liaison")[1]["items"]]
    assert api.get(f"/rounds/{slug}", as_="tr-monitor")[0] == 200
    # a monitor cannot announce; a liaison cannot even see it to try
    assert api.post(f"/rounds/{slug}/announce", as_="qa-monitor")[0] == 403
    assert api.post(f"/rounds/{slug}/announce", as_="pk-liaison")[0] == 404

    # an act in Qatar's name: a fresh code from the signatory's authenticator
    status, body = api.post(f"/rounds/{slug}/announce", as_="qa-signatory")
    assert status == 422 and "code" in body["error"]["fields"]
    assert Round.objects.get(pk=slug).announced_at is None
    signed = {"code": fresh_code(api.people["qa-signatory"])}
    status, body = api.post(f"/rounds/{slug}/announce", signed, as_="qa-signatory")
    assert status == 200, body
    assert body["announced_at"] is not None
    again = {"code": fresh_code(api.people["tr-signatory"])}
    assert api.post(f"/rounds/{slug}/announce", again, as_="tr-signatory")[0] == 409

    amended = Commitment.objects.get(pk="crossings-reopened")
    assert amended.text == ROUND["decisions"][0]["clause"] and amended.changed_by_id == slug
    assert Commitment.objects.get(pk="action-against-armed-groups").retired
    created = Commitment.objects.get(pk="joint-hand-over-procedure")
    assert created.introduced_by_id == slug
    assert sorted(created.parties.values_list("pk", flat=True)) == ["afghanistan", "pakistan"]

    kinds = list(
        Event.objects.filter(object_type__in=["round", "commitment"])
        .filter(kind__in=["round.recorded", "round.announced"])
        .values_list("kind", flat=True)
    ) + list(Event.objects.filter(kind__startswith="commitment.").values_list("kind", flat=True))
    assert sorted(kinds) == sorted(
        [
            "round.recorded",
            "round.announced",
            "commitment.amended",
            "commitment.retired",
            "commitment.created",
        ]
    )
    change = Event.objects.get(kind="commitment.amended")
    payload = json.loads(change.payload)
    assert payload["round"] == slug and payload["before"]["text"] != payload["after"]["text"]

    # public now; each clause's history names the round that changed it
    assert api.get(f"/rounds/{slug}")[0] == 200
    items = {c["slug"]: c for c in api.get("/commitments")[1]["items"]}
    history = [h for h in items["crossings-reopened"]["history"] if h["round"]]
    assert [h["round"] for h in history] == ["istanbul-2025-10", slug]
    assert history[-1]["clause"] == amended.text
    assert "action-against-armed-groups" not in items
    retired = {c["slug"]: c for c in api.get("/commitments?retired=true")[1]["items"]}
    assert [h["kind"] for h in retired["action-against-armed-groups"]["history"] if h["round"]][
        -1
    ] == "retire-commitment"
    assert items["joint-hand-over-procedure"]["history"][0]["round"] == slug


def test_decisions_that_do_not_apply_are_refused_and_change_nothing(api, people) -> None:  # type: ignore[no-untyped-def]
    bad = dict(
        ROUND,
        ends="2026-01-01",
        mediators=["pakistan"],
        decisions=[
            {
                "kind": "amend-commitment",
                "commitment": "no-such-clause",
                "text": "x",
                "clause": "y",
            },
            {"kind": "create-commitment", "commitment": "no-cross-border-fire", "text": "x"},
            {"kind": "retire-commitment", "text": "which?"},
        ],
    )
    status, body = api.post("/rounds", bad, as_="qa-monitor")
    assert status == 422
    assert set(body["error"]["fields"]) >= {
        "ends",
        "mediators",
        "decisions[0].commitment",
        "decisions[1].commitment",
        "decisions[1].title",
        "decisions[1].clause",
        "decisions[1].parties",
        "decisions[2].commitment",
    }
    assert api.post("/rounds", ROUND, as_="pk-liaison")[0] == 403
    assert not Event.objects.filter(kind__startswith="round.").exists()
    assert not Round.objects.filter(recorded_by__isnull=False).exists()

    # two recorded rounds retire the same clause: the second announcement no longer applies
    retire = dict(
        ROUND,
        decisions=[
            {"kind": "retire-commitment", "commitment": "crossings-reopened", "text": "Done."}
        ],
    )
    first = api.post("/rounds", retire, as_="qa-monitor")[1]["slug"]
    second = api.post("/rounds", retire, as_="tr-monitor")[1]["slug"]
    assert first != second
    signed = {"code": fresh_code(people["qa-signatory"])}
    assert api.post(f"/rounds/{first}/announce", signed, as_="qa-signatory")[0] == 200
    signed = {"code": fresh_code(people["qa-signatory"])}
    status, body = api.post(f"/rounds/{second}/announce", signed, as_="qa-signatory")
    assert status == 422 and "decisions[0].commitment" in body["error"]["fields"]
    assert Round.objects.get(pk=second).announced_at is None


def test_reloading_the_scenario_leaves_the_mechanisms_rounds_alone(people) -> None:  # type: ignore[no-untyped-def]
    from pathlib import Path

    import truceline.scenario

    talks = round_record(
        actor=people["qa-monitor"],
        data=RoundInput(
            title="Talks",
            venue="Doha",
            starts=dt.date(2026, 1, 5),
            ends=dt.date(2026, 1, 6),
            decisions=[
                DecisionInput(
                    kind="amend-commitment",
                    commitment="no-cross-border-fire",
                    text="Drones named.",
                    clause="No fire, no drones.",
                )
            ],
        ),
    )
    round_announce(
        actor=people["qa-signatory"], talks=talks, code=fresh_code(people["qa-signatory"])
    )
    bundled = Path(truceline.scenario.__file__).parent / "bundled"
    summary = scenario_load_file(actor=None, path=next(bundled.glob("*.yaml")))
    assert not summary.changed
    talks.refresh_from_db()
    assert not talks.retired
    assert Commitment.objects.get(pk="no-cross-border-fire").text == "No fire, no drones."


def test_the_round_form(people, login) -> None:  # type: ignore[no-untyped-def]
    monitor = login("qa-monitor")
    page = monitor.get("/agreement/rounds/new/")
    assert page.status_code == 200
    refused = monitor.post(
        "/agreement/rounds/new/",
        {"title": "", "venue": "Doha", "starts": "2026-02-01", "ends": "not a date"},
    )
    assert refused.status_code == 422
    text = refused.content.decode()
    assert 'id="title-err"' in text and 'id="ends-err"' in text
    form = {
        "title": "Doha talks, again",
        "venue": "Doha, Qatar",
        "starts": "2026-02-01",
        "ends": "2026-02-02",
        "mediators": ["qatar"],
        "head-pakistan": "A. Head",
        "agenda": "Crossings\nPrisoners",
        "outcome": "Agreed.",
        "d1-kind": "amend-commitment",
        "d1-commitment": "no-such",
        "d1-text": "Amended.",
        "d1-clause": "New text.",
    }
    refused = monitor.post("/agreement/rounds/new/", form)
    assert refused.status_code == 422
    assert 'id="d1-err"' in refused.content.decode()  # the error sits on the row it belongs to
    form["d1-commitment"] = "crossings-reopened"
    done = monitor.post("/agreement/rounds/new/", form)
    assert done.status_code == 302
    slug = Round.objects.get(title="Doha talks, again").slug
    assert "Recorded, not yet announced" in monitor.get("/agreement/").content.decode()
    assert "Doha talks, again" not in login("pk-liaison").get("/agreement/").content.decode()
    signatory = login("tr-signatory")
    assert signatory.post(f"/agreement/rounds/{slug}/announce").status_code == 302
    assert Round.objects.get(pk=slug).announced_at is None  # not without a fresh code
    signed = {"code": fresh_code(people["tr-signatory"])}
    assert signatory.post(f"/agreement/rounds/{slug}/announce", signed).status_code == 302
    assert Commitment.objects.get(pk="crossings-reopened").text == "New text."
    page = login("af-liaison").get("/agreement/").content.decode()
    assert (
        "Doha talks, again" in page and "led by A. Head" in page and "now reads: New text." in page
    )
    assert login("pk-liaison").get("/agreement/rounds/new/").status_code == 404


def test_infiltration_attempts_are_counted_from_published_findings(people) -> None:  # type: ignore[no-untyped-def]
    clause = Commitment.objects.get(pk="territory-not-used-for-attacks")
    month = periods(months=1)[0]

    def attempts() -> str | None:
        found = {i.slug: i for i in indicators(clause, "afghanistan", month)}
        return found["infiltration-attempts"].value

    assert attempts() == "0"
    make_incident(people, "published", category="shelling")
    assert attempts() == "0"  # not an infiltration
    make_incident(people, "endorsed", category="infiltration")
    assert attempts() == "0"  # not published yet
    incident = make_incident(people, "published", category="infiltration")
    found = {i.slug: i for i in indicators(clause, "afghanistan", month)}
    assert found["infiltration-attempts"].value == "1"
    assert found["infiltration-attempts"].records == [incident.pk]
    assert {i.slug: i.value for i in indicators(clause, "pakistan", month)}[
        "infiltration-attempts"
    ] == "0"
