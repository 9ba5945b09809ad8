"""/incidents: lists, one incident with its timeline, and each transition."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.accounts.models import User
from truceline.core.api import Bearer, OptionalBearer, PageParams, actor_of, errors, paginate
from truceline.core.errors import Invalid
from truceline.findings.api import FindingIn, finding_out, reconsideration_out
from truceline.findings.models import Finding, Reconsideration
from truceline.findings.services import finding_draft
from truceline.geo.selectors import location_out
from truceline.incidents import services
from truceline.incidents.models import Incident, Question, Response
from truceline.incidents.selectors import filtered, incident_timeline
from truceline.ledger.selectors import receipt
from truceline.ledger.services import capture_events
from truceline.policy import access_incident, access_question, is_mediator, visible_to
from truceline.redaction.selectors import sealed_text
from truceline.reports.models import Report

router = Router(tags=["incidents"])


class TriageIn(Schema):
    model_config = ConfigDict(extra="forbid")
    admissible: bool
    reason: str = ""


class MergeIn(Schema):
    model_config = ConfigDict(extra="forbid")
    into: str


class AssignIn(Schema):
    model_config = ConfigDict(extra="forbid")
    assignee: str


class ResponseIn(Schema):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20_000)
    evidence: list[str] = Field(default_factory=list, max_length=50)
    counter_claims: str = Field("", max_length=20_000)


class QuestionIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party: str
    text: str = Field(min_length=1, max_length=20_000)


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    answer: str = Field(min_length=1, max_length=20_000)


class QuestionFilters(PageParams):
    incident: str | None = None
    answered: bool | None = None


class IncidentFilters(PageParams):
    state: str | None = None
    category: str | None = None
    party: str | None = None
    sector: str | None = None
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None


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
    if is_mediator(viewer):
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
    if is_mediator(viewer):
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


@router.get(
    "/incidents",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=OptionalBearer(),
    summary="Incidents the caller may see (anonymous: published ones); urgent first",
)
def incidents_list(request: HttpRequest, filters: Query[IncidentFilters]) -> dict[str, Any]:
    qs = filtered(visible_to(request.user, Incident).select_related("assigned_to"), filters)
    return paginate(qs, filters, lambda i: incident_out(i, request.user, full=False))


@router.get(
    "/incidents/{incident_id}",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=OptionalBearer(),
    summary="One incident: state, reports, responses, findings, timeline",
)
def incidents_get(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    return incident_out(access_incident(request.user, incident_id), request.user)


@router.post(
    "/incidents/{incident_id}/triage",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
)
def incidents_triage(request: HttpRequest, incident_id: str, payload: TriageIn) -> dict[str, Any]:
    incident = access_incident(request.user, incident_id)
    incident = services.incident_triage(
        incident=incident,
        actor=actor_of(request),
        admissible=payload.admissible,
        reason=payload.reason,
    )
    return incident_out(incident, request.user)


@router.post(
    "/incidents/{incident_id}/assign",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
)
def incidents_assign(request: HttpRequest, incident_id: str, payload: AssignIn) -> dict[str, Any]:
    incident = access_incident(request.user, incident_id)
    assignee = User.objects.filter(username=payload.assignee).first()
    if assignee is None:
        raise Invalid({"assignee": [gettext("no such monitor")]})
    incident = services.incident_assign(
        incident=incident, actor=actor_of(request), assignee=assignee
    )
    return incident_out(incident, request.user)


@router.post(
    "/incidents/{incident_id}/merge",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
)
def incidents_merge(request: HttpRequest, incident_id: str, payload: MergeIn) -> dict[str, Any]:
    incident = access_incident(request.user, incident_id)
    into = access_incident(request.user, payload.into)
    incident = services.incident_merge(incident=incident, actor=actor_of(request), into=into)
    return incident_out(incident, request.user)


@router.post(
    "/incidents/{incident_id}/open",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
    summary="Open verification: share with the accused party; its reply window starts",
)
def incidents_open(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    incident = access_incident(request.user, incident_id)
    incident = services.incident_open(incident=incident, actor=actor_of(request))
    return incident_out(incident, request.user)


@router.post(
    "/incidents/{incident_id}/responses",
    response={201: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="The accused party's answer (late answers are kept and marked late)",
)
def incidents_respond(request: HttpRequest, incident_id: str, payload: ResponseIn) -> Status:
    incident = access_incident(request.user, incident_id)
    with capture_events() as events:
        response = services.response_submit(
            incident=incident,
            actor=actor_of(request),
            text=payload.text,
            counter_claims=payload.counter_claims,
            evidence=payload.evidence,
        )
    return Status(201, {**response_out(response, request.user), "receipt": receipt(events[0])})


@router.post(
    "/incidents/{incident_id}/finding",
    response={201: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Create the draft finding, or a revision superseding the current one",
)
def incidents_finding(request: HttpRequest, incident_id: str, payload: FindingIn) -> Status:
    incident = access_incident(request.user, incident_id)
    finding = finding_draft(incident=incident, actor=actor_of(request), data=payload.to_input())
    return Status(201, finding_out(finding, request.user))


@router.post(
    "/incidents/{incident_id}/questions",
    response={201: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Ask a party concerned for information (a monitor); it answers on the timeline",
)
def incidents_ask(request: HttpRequest, incident_id: str, payload: QuestionIn) -> Status:
    incident = access_incident(request.user, incident_id)
    question = services.question_ask(
        incident=incident, actor=actor_of(request), party=payload.party, text=payload.text
    )
    return Status(201, question_out(question, request.user))


@router.get(
    "/questions",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=Bearer(),
    summary="Questions the caller may see (a liaison: those put to its party)",
)
def questions_list(request: HttpRequest, filters: Query[QuestionFilters]) -> dict[str, Any]:
    qs = visible_to(request.user, Question).select_related("asked_by", "answered_by")
    if filters.incident:
        qs = qs.filter(incident_id=filters.incident)
    if filters.answered is not None:
        qs = qs.filter(answered_at__isnull=not filters.answered)
    return paginate(qs, filters, lambda q: question_out(q, request.user))


@router.post(
    "/questions/{question_id}/answer",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Answer a question put to your party (once)",
)
def questions_answer(request: HttpRequest, question_id: str, payload: AnswerIn) -> dict[str, Any]:
    question = access_question(request.user, question_id)
    question = services.question_answer(
        question=question, actor=actor_of(request), text=payload.answer
    )
    return question_out(question, request.user)
