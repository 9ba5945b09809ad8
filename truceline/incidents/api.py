"""/incidents: lists, one incident with its timeline, and each transition."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.accounts.models import User
from truceline.core.api import (
    Bearer,
    OptionalBearer,
    Page,
    PageParams,
    actor_of,
    errors,
    paginate,
)
from truceline.core.errors import Invalid
from truceline.findings.api import FindingIn
from truceline.findings.outputs import FindingOut, finding_out
from truceline.findings.services import finding_draft
from truceline.incidents import services
from truceline.incidents.models import Incident, Question
from truceline.incidents.outputs import (
    IncidentOut,
    IncidentSummaryOut,
    QuestionOut,
    RespondedOut,
    incident_out,
    question_out,
    responded_out,
    response_out,  # noqa: F401  (incidents/views.py reads it here)
)
from truceline.incidents.selectors import filtered
from truceline.ledger.selectors import receipt
from truceline.ledger.services import capture_events
from truceline.policy import access_incident, access_question, visible_to

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


@router.get(
    "/incidents",
    response={200: Page[IncidentSummaryOut], **errors(401, 422)},
    auth=OptionalBearer(),
    summary="Incidents the caller may see (anonymous: published ones); urgent first",
    exclude_unset=True,
)
def incidents_list(request: HttpRequest, filters: Query[IncidentFilters]) -> dict[str, Any]:
    qs = filtered(visible_to(request.user, Incident).select_related("assigned_to"), filters)
    return paginate(qs, filters, lambda i: incident_out(i, request.user, full=False))


@router.get(
    "/incidents/{incident_id}",
    response={200: IncidentOut, **errors(401, 404)},
    auth=OptionalBearer(),
    summary="One incident: state, reports, responses, findings, timeline",
    exclude_unset=True,
)
def incidents_get(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    return incident_out(access_incident(request.user, incident_id), request.user)


@router.post(
    "/incidents/{incident_id}/triage",
    response={200: IncidentOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    exclude_unset=True,
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
    response={200: IncidentOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    exclude_unset=True,
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
    response={200: IncidentOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    exclude_unset=True,
)
def incidents_merge(request: HttpRequest, incident_id: str, payload: MergeIn) -> dict[str, Any]:
    incident = access_incident(request.user, incident_id)
    into = access_incident(request.user, payload.into)
    incident = services.incident_merge(incident=incident, actor=actor_of(request), into=into)
    return incident_out(incident, request.user)


@router.post(
    "/incidents/{incident_id}/open",
    response={200: IncidentOut, **errors(400, 401, 403, 404, 409)},
    auth=Bearer(),
    summary="Open verification: share with the accused party; its reply window starts",
    exclude_unset=True,
)
def incidents_open(request: HttpRequest, incident_id: str) -> dict[str, Any]:
    incident = access_incident(request.user, incident_id)
    incident = services.incident_open(incident=incident, actor=actor_of(request))
    return incident_out(incident, request.user)


@router.post(
    "/incidents/{incident_id}/responses",
    response={201: RespondedOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="The accused party's answer (late answers are kept and marked late)",
    exclude_unset=True,
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
    return Status(201, responded_out(response, request.user, receipt(events[0])))


@router.post(
    "/incidents/{incident_id}/finding",
    response={201: FindingOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Create the draft finding, or a revision superseding the current one",
    exclude_unset=True,
)
def incidents_finding(request: HttpRequest, incident_id: str, payload: FindingIn) -> Status:
    incident = access_incident(request.user, incident_id)
    finding = finding_draft(incident=incident, actor=actor_of(request), data=payload.to_input())
    return Status(201, finding_out(finding, request.user))


@router.post(
    "/incidents/{incident_id}/questions",
    response={201: QuestionOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Ask a party concerned for information (a monitor); it answers on the timeline",
    exclude_unset=True,
)
def incidents_ask(request: HttpRequest, incident_id: str, payload: QuestionIn) -> Status:
    incident = access_incident(request.user, incident_id)
    question = services.question_ask(
        incident=incident, actor=actor_of(request), party=payload.party, text=payload.text
    )
    return Status(201, question_out(question, request.user))


@router.get(
    "/questions",
    response={200: Page[QuestionOut], **errors(401, 422)},
    auth=Bearer(),
    summary="Questions the caller may see (a liaison: those put to its party)",
    exclude_unset=True,
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
    response={200: QuestionOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Answer a question put to your party (once)",
    exclude_unset=True,
)
def questions_answer(request: HttpRequest, question_id: str, payload: AnswerIn) -> dict[str, Any]:
    question = access_question(request.user, question_id)
    question = services.question_answer(
        question=question, actor=actor_of(request), text=payload.answer
    )
    return question_out(question, request.user)
