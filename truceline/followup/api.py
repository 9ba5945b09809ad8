"""/requests: formal requests between the parties, their answers and what was verified."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, OptionalBearer, PageParams, actor_of, errors, paginate
from truceline.core.errors import Forbidden
from truceline.followup import selectors, services
from truceline.followup.models import Measure, PartyRequest
from truceline.ledger.selectors import receipt
from truceline.ledger.services import capture_events
from truceline.policy import access_finding, access_measure, access_request, can, visible_to

router = Router(tags=["requests"])


class SubjectIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=200)
    details: str = Field("", max_length=2_000)


class RequestIn(Schema):
    model_config = ConfigDict(extra="forbid")
    to_party: str = Field(min_length=1, max_length=60)
    kind: Literal["hand-over", "arrest", "control", "expel", "access", "reopen-crossing"]
    subjects: list[SubjectIn] = Field(default_factory=list, max_length=100)
    grounds: str = Field(min_length=1, max_length=20_000)
    deadline: dt.datetime
    commitment: str | None = Field(None, max_length=80)
    place: str | None = Field(None, max_length=60)


class AnswerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    answer: Literal["accepted", "refused", "partly"]
    reasons: str = Field("", max_length=20_000)


class VerificationIn(Schema):
    model_config = ConfigDict(extra="forbid")
    happened: bool
    on: dt.date
    place: str | None = Field(None, max_length=60)
    subjects: list[int] = Field(default_factory=list, max_length=100)
    notes: str = Field("", max_length=20_000)


def request_out(
    request: PartyRequest, viewer: Any, subjects: list[Any] | None = None
) -> dict[str, Any]:
    """A request as its parties and the mediators see it; names only when asked for (and
    then recorded)."""
    body: dict[str, Any] = {
        "id": request.id,
        "kind": request.kind,
        "from_party": request.from_party_id,
        "to_party": request.to_party_id,
        "commitment": request.commitment_id,
        "place": request.place_id,
        "grounds": request.grounds,
        "deadline": request.deadline,
        "made_at": request.made_at,
        "state": request.state,
        "answer": request.answer or None,
        "answer_reasons": request.answer_reasons or None,
        "answered_at": request.answered_at,
        "answered_late": request.answered_late,
        "subject_count": request.subjects.count(),
        "verification": None,
    }
    if subjects is not None:
        body["subjects"] = [{"id": s.id, "name": s.name, "details": s.details} for s in subjects]
    verification = getattr(request, "verification", None)
    if verification is not None:
        body["verification"] = {
            "happened": verification.happened,
            "on": verification.on,
            "place": verification.place_id,
            "subjects": [s.id for s in verification.subjects.all()],
            "notes": verification.notes,
        }
    return body


@router.post(
    "/requests",
    response={201: dict[str, Any], **errors(400, 401, 403, 422)},
    auth=Bearer(),
    summary="A party's liaison asks the other party, through the mechanism",
)
def requests_make(request: HttpRequest, payload: RequestIn) -> Status:
    data = services.RequestInput(
        to_party=payload.to_party,
        kind=payload.kind,
        grounds=payload.grounds,
        deadline=payload.deadline,
        subjects=[services.SubjectInput(s.name, s.details) for s in payload.subjects],
        commitment=payload.commitment,
        place=payload.place,
    )
    with capture_events() as events:
        made = services.request_make(actor=actor_of(request), data=data)
    return Status(
        201,
        {
            **request_out(made, request.user, list(made.subjects.all())),
            "receipt": receipt(events[0]),
        },
    )


@router.get(
    "/requests",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=Bearer(),
    summary="Requests made by or to the caller's party (mediators: all); no names",
)
def requests_list(request: HttpRequest, q: Query[PageParams]) -> dict[str, Any]:
    found = visible_to(request.user, PartyRequest).select_related("verification")
    return paginate(found, q, lambda r: request_out(r, request.user))


@router.get(
    "/requests/stats",
    response={200: dict[str, Any], **errors(401)},
    auth=OptionalBearer(),
    summary="For everyone: how many requests of each kind, and how they were answered",
)
def requests_stats(request: HttpRequest) -> dict[str, Any]:
    return {"items": selectors.request_counts()}


@router.get(
    "/requests/{request_id}",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=Bearer(),
    summary="One request with the names it gives (each reading of names is on the ledger)",
)
def requests_get(request: HttpRequest, request_id: str) -> dict[str, Any]:
    found = access_request(request.user, request_id)
    names = services.subjects_read(actor=actor_of(request), request=found)
    return request_out(found, request.user, names)


@router.post(
    "/requests/{request_id}/answer",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="The party asked answers: accepted, refused or partly (reasons unless accepted)",
)
def requests_answer(request: HttpRequest, request_id: str, payload: AnswerIn) -> dict[str, Any]:
    found = access_request(request.user, request_id)
    with capture_events() as events:
        answered = services.request_answer(
            actor=actor_of(request), request=found, answer=payload.answer, reasons=payload.reasons
        )
    return {**request_out(answered, request.user), "receipt": receipt(events[0])}


@router.post(
    "/requests/{request_id}/verification",
    response={201: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Monitors record what they verified happened (e.g. a hand-over at a post)",
)
def requests_verify(request: HttpRequest, request_id: str, payload: VerificationIn) -> Status:
    found = access_request(request.user, request_id)
    if not can(request.user, "verify", found):
        raise Forbidden("only monitors record what they verified")
    services.request_verify(
        actor=actor_of(request),
        request=found,
        happened=payload.happened,
        on=payload.on,
        place=payload.place,
        subjects=payload.subjects,
        notes=payload.notes,
    )
    found.refresh_from_db()
    return Status(201, request_out(found, request.user))


@router.get(
    "/rounds",
    response={200: dict[str, Any], **errors(401)},
    auth=OptionalBearer(),
    tags=["agreement"],
    summary="Rounds of talks with their decisions (those announced: all that are loaded)",
)
def rounds_list(request: HttpRequest) -> dict[str, Any]:
    return {"items": selectors.rounds()}


@router.get(
    "/commitments",
    response={200: dict[str, Any], **errors(401)},
    auth=OptionalBearer(),
    tags=["agreement"],
    summary="Commitments (clauses), each with the history of rounds and changes behind it",
)
def commitments_list(request: HttpRequest) -> dict[str, Any]:
    return {"items": selectors.commitments()}


class MeasureIn(Schema):
    model_config = ConfigDict(extra="forbid")
    party: str = Field(min_length=1, max_length=60)
    kind: Literal["note", "warning", "demand", "penalty", "referral"]
    text: str = Field(min_length=1, max_length=20_000)
    due: dt.date | None = None


class DoneIn(Schema):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=20_000)


def measure_out(measure: Measure) -> dict[str, Any]:
    return {
        "id": measure.id,
        "finding": measure.finding_id,
        "party": measure.party_id,
        "kind": measure.kind,
        "text": measure.text,
        "due": measure.due,
        "organisation": measure.organisation_id,
        "key_id": measure.key_id,
        "statement": measure.statement,
        "signature": measure.signature,
        "decided_at": measure.decided_at,
        "announced_at": measure.announced_at,
        "done_at": measure.done_at,
        "done_note": measure.done_note or None,
        "overdue": measure.overdue,
    }


@router.post(
    "/findings/{finding_id}/measures",
    response={201: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    tags=["measures"],
    summary="A guarantor's signatory decides a measure on a published finding (signed)",
)
def measures_decide(request: HttpRequest, finding_id: str, payload: MeasureIn) -> Status:
    finding = access_finding(request.user, finding_id)
    with capture_events() as events:
        measure = services.measure_decide(
            actor=actor_of(request),
            finding=finding,
            party=payload.party,
            kind=payload.kind,
            text=payload.text,
            due=payload.due,
        )
    return Status(201, {**measure_out(measure), "receipt": receipt(events[0])})


@router.get(
    "/measures",
    response={200: dict[str, Any], **errors(401, 422)},
    auth=OptionalBearer(),
    tags=["measures"],
    summary="Measures: the parties concerned and mediators; everyone once announced",
)
def measures_list(request: HttpRequest, q: Query[PageParams]) -> dict[str, Any]:
    return paginate(visible_to(request.user, Measure), q, measure_out)


@router.get(
    "/measures/{measure_id}",
    response={200: dict[str, Any], **errors(401, 404)},
    auth=OptionalBearer(),
    tags=["measures"],
    summary="One measure, with the statement and signature to check against GET /keys",
)
def measures_get(request: HttpRequest, measure_id: str) -> dict[str, Any]:
    return measure_out(access_measure(request.user, measure_id))


@router.post(
    "/measures/{measure_id}/announce",
    response={200: dict[str, Any], **errors(401, 403, 404)},
    auth=Bearer(),
    tags=["measures"],
    summary="Monitors: make the measure public",
)
def measures_announce(request: HttpRequest, measure_id: str) -> dict[str, Any]:
    measure = access_measure(request.user, measure_id)
    return measure_out(services.measure_announce(actor=actor_of(request), measure=measure))


@router.post(
    "/measures/{measure_id}/done",
    response={200: dict[str, Any], **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    tags=["measures"],
    summary="Monitors: record that the measure was carried out (late if after its date)",
)
def measures_done(request: HttpRequest, measure_id: str, payload: DoneIn) -> dict[str, Any]:
    measure = access_measure(request.user, measure_id)
    done = services.measure_done(actor=actor_of(request), measure=measure, note=payload.note)
    return measure_out(done)
