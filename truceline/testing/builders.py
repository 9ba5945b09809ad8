"""Builders of the objects the policy polices that take more than a look-up:
``make_KIND(people, key)``, ``key`` a state, a party or a person as the kind has it, made by
the services the product calls where it has them. The compartment matrix
(policy/tests/test_matrix.py) and the tests of workflow steps and forms build what they check
with these."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.db import models, transaction

from truceline.accounts.models import User
from truceline.accounts.testing import fresh_code
from truceline.evidence.models import Evidence
from truceline.exchange.models import HistoricEvent, ImportBatch
from truceline.findings.models import Finding, Reconsideration
from truceline.findings.services import (
    finding_acknowledge,
    finding_draft,
    finding_publish,
    finding_vote,
    reconsideration_decide,
    reconsideration_request,
)
from truceline.followup.models import Assessment, Measure, PartyRequest
from truceline.geo.models import CrossingChange
from truceline.geo.services import crossing_status_record
from truceline.incidents.models import Incident, Question, Response
from truceline.incidents.services import question_ask, response_submit
from truceline.ledger.models import Event
from truceline.ledger.services import event_append
from truceline.redaction.models import Seal
from truceline.redaction.services import seal_create
from truceline.scenario import models as sm
from truceline.testing.incidents import FINDING, make_incident


def make_evidence(people: dict[str, User], key: str) -> Evidence:
    """A photo Pakistan uploaded: only uploaded (cited nowhere), or cited in an incident
    under verification at a sharing level, or its public copy (published or not)."""
    import hashlib
    import os
    import tempfile

    from truceline.evidence.services import Received, evidence_receive, evidence_share
    from truceline.testing.files import png

    data = png()
    handle, name = tempfile.mkstemp()
    os.close(handle)
    Path(name).write_bytes(data)
    sharing = "mechanism" if key in {"uploaded", "mechanism"} else "parties"
    received = Received(Path(name), "p.png", len(data), hashlib.sha256(data).hexdigest())
    (item,) = evidence_receive(actor=people["pk-liaison"], files=[received], sharing=sharing)
    Path(name).unlink()
    if key == "uploaded":
        return item
    state = "published" if key == "public-copy" else "under-verification"
    make_incident(people, state, evidence=(item.id,))
    if key.startswith("public"):
        evidence_share(actor=people["qa-monitor"], item=item, sharing="public")
        return Evidence.objects.get(derived_from=item, kind="public-copy")
    if key.endswith("thumbnail"):
        return Evidence.objects.get(derived_from=item, kind="thumbnail")
    return item


def make_request(people: dict[str, User], key: str) -> PartyRequest:
    """Pakistan asks Afghanistan to hand over a named person."""
    from truceline.followup.services import RequestInput, SubjectInput, request_make

    return request_make(
        actor=people["pk-liaison"],
        data=RequestInput(
            to_party="afghanistan",
            kind="hand-over",
            grounds="led the attack",
            deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
            subjects=[SubjectInput("A. Person")],
        ),
    )


def make_measure(people: dict[str, User], key: str) -> Measure:
    """Qatar's warning to Afghanistan on a published finding; announced or not."""
    from truceline.followup.services import measure_announce, measure_decide

    finding = make_incident(people, "published").findings.get(status="published")
    measure = measure_decide(
        actor=people["qa-signatory"],
        finding=finding,
        party="afghanistan",
        kind="warning",
        text="A warning.",
        due=None,
        code=fresh_code(people["qa-signatory"]),
    )
    if key == "announced":
        measure = measure_announce(actor=people["qa-monitor"], measure=measure)
    return measure


def make_assessment(people: dict[str, User], key: str) -> Assessment:
    """The monitors' proposal for a commitment, party and month; confirmed or not."""
    from truceline.followup.compliance import assessment_confirm, assessment_propose

    proposed = assessment_propose(
        actor=people["qa-monitor"],
        commitment="no-cross-border-fire",
        party="afghanistan",
        period="2025-11",
        status="partly",
        reasons="two confirmed incidents",
    )
    if key == "confirmed":
        signatory = people["qa-signatory"]
        return assessment_confirm(actor=signatory, assessment=proposed, code=fresh_code(signatory))
    return proposed


def make_event(people: dict[str, User], key: str | None) -> Event:
    """An event made by the system, or (``event:USER``) by that person: their receipt."""
    actor = people[key] if key else None
    with transaction.atomic():
        return event_append(
            actor=actor, kind="token.created", object_type="t", object_id="1", payload={}
        )


def make_osint(kind: str) -> models.Model:
    """One ingested article and what the extraction found in it."""
    from truceline.osint.models import Article, Candidate, CandidateGroup, Claim, Feed, Mention
    from truceline.osint.services import Incoming, ingest

    if kind == "feed":
        return Feed.objects.create(
            url="https://feeds.example/rss", added_at=dt.datetime.now(dt.UTC)
        )
    text = (
        "PESHAWAR: Mortars fired from across the border wounded four villagers in Bajaur "
        "district on Tuesday, police said.\n\nThe Foreign Office said on Tuesday that Pakistan "
        "would not tolerate attacks. Torkham remained closed to trade on Tuesday."
    )
    ingest(actor=None, items=[Incoming("Shelling in Bajaur", text, dt.date(2025, 11, 5))])
    model = {
        "article": Article,
        "candidate": Candidate,
        "candidate-group": CandidateGroup,
        "claim": Claim,
        "mention": Mention,
    }[kind]
    obj = model._default_manager.first()
    assert obj is not None, kind
    return obj


def make_historic() -> models.Model:
    """One imported UCDP event."""
    batch = ImportBatch.objects.create(
        source="ucdp",
        file_name="ged.csv",
        sha256="0" * 64,
        rows=1,
        imported_at=dt.datetime.now(dt.UTC),
    )
    return HistoricEvent.objects.create(
        source="ucdp",
        source_id="1",
        batch=batch,
        digest="0" * 64,
        event_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 1, 1),
        event_type="State-based conflict",
        country_name="Pakistan",
        lat=34.0,
        lon=71.0,
    )


def make_recorded_round(people: dict[str, User]) -> sm.Round:
    """A round the mechanism recorded and no guarantor has announced yet."""
    from truceline.followup.rounds import RoundInput, round_record

    return round_record(
        actor=people["qa-monitor"],
        data=RoundInput(
            title="Talks", venue="Doha", starts=dt.date(2026, 1, 5), ends=dt.date(2026, 1, 6)
        ),
    )


def make_reconsidered(people: dict[str, User]) -> Incident:
    """Published, then reopened on Afghanistan's request: its first finding is superseded."""
    incident = make_incident(people, "published")
    request = reconsideration_request(
        incident=incident, actor=people["af-liaison"], reasons="New evidence."
    )
    reconsideration_decide(
        request=request, actor=people["qa-monitor"], accept=True, reasons="Worth a look."
    )
    incident.refresh_from_db()
    return incident


def make_finding(people: dict[str, User], status: str) -> Finding:
    if status == "reconsidered":
        return make_reconsidered(people).findings.get()
    if status == "superseded":
        incident = make_incident(people, "finding-drafted")
        old = incident.findings.get()
        finding_draft(incident=incident, actor=people["qa-monitor"], data=FINDING)
        old.refresh_from_db()
        return old
    state = {"draft": "finding-drafted", "endorsed": "endorsed", "published": "published"}[status]
    return make_incident(people, state).findings.get()


def make_response(people: dict[str, User], state: str) -> Response:
    if state == "reopened":  # answered after a publication: not public until published again
        incident = make_reconsidered(people)
        return response_submit(
            incident=incident, actor=people["af-liaison"], text="Still denied.", evidence=[]
        )
    incident = make_incident(people, "under-verification")
    response = response_submit(
        incident=incident, actor=people["af-liaison"], text="Denied.", evidence=[]
    )
    if state == "published":
        mon = people["qa-monitor"]
        finding = finding_draft(incident=incident, actor=mon, data=FINDING)
        for signatory in ("qa-signatory", "tr-signatory"):
            finding_vote(
                finding=finding,
                actor=people[signatory],
                vote="endorse",
                reasons="",
                code=fresh_code(people[signatory]),
            )
        for liaison in ("pk-liaison", "af-liaison"):
            finding_acknowledge(finding=finding, actor=people[liaison])
        finding_publish(finding=finding, actor=mon)
    return response


def make_question(people: dict[str, User], party: str) -> Question:
    incident = make_incident(people, "under-verification")
    return question_ask(
        incident=incident, actor=people["qa-monitor"], party=party, text="Which unit fired?"
    )


def make_reconsideration(people: dict[str, User], party: str) -> Reconsideration:
    incident = make_incident(people, "inadmissible")
    return reconsideration_request(
        incident=incident, actor=people["pk-liaison"], reasons="It is not a duplicate."
    )


def make_seal(people: dict[str, User], key: str) -> Seal:
    report = make_incident(people, "received").reports.get()
    return seal_create(
        actor=people["qa-monitor"],
        target=report,
        field="narrative",
        passage="Mortar",
        reason="test",
    )


def make_crossing_change(people: dict[str, User], key: str) -> CrossingChange:
    return crossing_status_record(
        actor=people["qa-monitor"],
        crossing=sm.Place.objects.get(pk="torkham"),
        status="closed",
        audiences=[],
        since=dt.datetime(2025, 10, 12, tzinfo=dt.UTC),
        source="Monitors' visit",
    )
