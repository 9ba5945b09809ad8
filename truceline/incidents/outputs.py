"""The incidents' answers: an incident with its timeline, the accused party's responses, the
monitors' questions — their schemas, and the builders the API, the incident's page and the
periodic report call (each viewer gets what the policy and the seals give it)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.findings.models import Finding, Reconsideration
from truceline.findings.outputs import ReconsiderationOut, reconsideration_out
from truceline.geo.outputs import LocationOut
from truceline.geo.selectors import location_out
from truceline.incidents.models import Incident, Question, Response, State
from truceline.incidents.selectors import incident_timeline
from truceline.ledger.outputs import ReceiptOut
from truceline.policy import sees_mechanism, visible_to
from truceline.redaction.selectors import sealed_text
from truceline.reports.models import Report

FOR_THE_MECHANISM = "the mechanism's people only"
IN_FULL = "in the answer about one incident (not in lists)"


class ResponseOut(Schema):
    id: str
    party: str
    text: str
    counter_claims: str
    evidence: list[str] = Field(description="the items cited that this viewer may see")
    submitted_at: dt.datetime
    late: bool


class RespondedOut(ResponseOut):
    """The response, with the receipt of its ledger entry."""

    receipt: ReceiptOut


class QuestionOut(Schema):
    id: str
    incident: str
    party: str
    asked_at: dt.datetime
    text: str
    answer: str | None
    answered_at: dt.datetime | None
    asked_by: str | None = Field(None, description=FOR_THE_MECHANISM)
    answered_by: str | None = Field(None, description=FOR_THE_MECHANISM)


class TimelineDetailOut(Schema):
    """What the timeline says of a step between the mechanism and one party."""

    party: str | None = None
    question: str | None = None
    reconsideration: str | None = None
    subject: str | None = None


class TimelineEntryOut(Schema):
    seq: int = Field(description="the ledger entry")
    at: dt.datetime
    kind: str
    detail: TimelineDetailOut | None = Field(None, description="private steps only")
    actor: str | None = Field(None, description=FOR_THE_MECHANISM)


class IncidentSummaryOut(Schema):
    """An incident as lists give it."""

    id: str
    state: Annotated[str, one_of(State.values)]
    category: str
    accused_party: str
    occurred_at: dt.datetime
    urgent: bool
    created_at: dt.datetime
    opened_at: dt.datetime | None
    reply_due_at: dt.datetime | None
    merged_into: str | None
    published_at: dt.datetime | None
    inadmissible_reason: str | None
    location: LocationOut | None
    assigned_to: str | None = Field(None, description=FOR_THE_MECHANISM)


class IncidentOut(IncidentSummaryOut):
    """One incident, with what this viewer may see of its reports, responses, questions,
    reconsiderations, findings and timeline."""

    reports: list[str] | None = Field(None, description=IN_FULL)
    responses: list[ResponseOut] | None = Field(None, description=IN_FULL)
    questions: list[QuestionOut] | None = Field(None, description=IN_FULL)
    reconsiderations: list[ReconsiderationOut] | None = Field(None, description=IN_FULL)
    findings: list[str] | None = Field(None, description=IN_FULL)
    timeline: list[TimelineEntryOut] | None = Field(None, description=IN_FULL)


def _cited_evidence(r: Response, viewer: Any) -> list[str]:
    """The items the response cites that this viewer may see (another party never learns of
    those kept from it)."""
    from truceline.evidence.models import Evidence

    if not r.evidence:
        return []
    seen = set(visible_to(viewer, Evidence).filter(pk__in=r.evidence).values_list("pk", flat=True))
    return [i for i in r.evidence if i in seen]


def response_out(r: Response, viewer: Any) -> dict[str, Any]:
    return {
        "id": r.id,
        "party": r.party_id,
        "text": sealed_text(viewer, r, "text", r.text),
        "counter_claims": sealed_text(viewer, r, "counter_claims", r.counter_claims),
        "evidence": _cited_evidence(r, viewer),
        "submitted_at": r.submitted_at,
        "late": r.late,
    }


def question_out(q: Question, viewer: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": q.id,
        "incident": q.incident_id,
        "party": q.party_id,
        "asked_at": q.asked_at,
        "text": sealed_text(viewer, q, "text", q.text),
        "answer": sealed_text(viewer, q, "answer", q.answer) or None,
        "answered_at": q.answered_at,
    }
    if sees_mechanism(viewer):
        body["asked_by"] = q.asked_by.username
        body["answered_by"] = q.answered_by.username if q.answered_by else None
    return body


def incident_out(incident: Incident, viewer: Any, *, full: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": incident.id,
        "state": incident.state,
        "category": incident.category_id,
        "accused_party": incident.accused_party_id,
        "occurred_at": incident.occurred_at,
        "urgent": incident.urgent,
        "created_at": incident.created_at,
        "opened_at": incident.opened_at,
        "reply_due_at": incident.reply_due_at,
        "merged_into": incident.merged_into_id,
        "published_at": incident.published_at,
        "inadmissible_reason": incident.inadmissible_reason or None,
        "location": location_out(incident, viewer),
    }
    if sees_mechanism(viewer):
        body["assigned_to"] = incident.assigned_to.username if incident.assigned_to else None
    if full:
        body["reports"] = list(
            visible_to(viewer, Report).filter(incident=incident).values_list("id", flat=True)
        )
        body["responses"] = [
            response_out(r, viewer) for r in visible_to(viewer, Response).filter(incident=incident)
        ]
        body["questions"] = [
            question_out(q, viewer)
            for q in visible_to(viewer, Question)
            .filter(incident=incident)
            .select_related("asked_by", "answered_by")
        ]
        body["reconsiderations"] = [
            reconsideration_out(r, viewer)
            for r in visible_to(viewer, Reconsideration).filter(incident=incident)
        ]
        body["findings"] = list(
            visible_to(viewer, Finding).filter(incident=incident).values_list("id", flat=True)
        )
        body["timeline"] = incident_timeline(incident, viewer)
    return body


def responded_out(r: Response, viewer: Any, receipt: dict[str, Any]) -> dict[str, Any]:
    return {**response_out(r, viewer), "receipt": receipt}
