"""Requests between parties: made by one party's liaison, answered by the other's, verified by
the monitors. Each step is a ledger event; names never enter a public surface."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from truceline.accounts.models import Role, User
from truceline.core.errors import ApiError, Forbidden, Invalid
from truceline.followup.models import (
    Answer,
    PartyRequest,
    RequestKind,
    RequestState,
    Subject,
    Verification,
)
from truceline.ledger.services import event_append
from truceline.scenario.models import Commitment, Organisation, OrganisationKind, Place

NAMED = {RequestKind.HAND_OVER, RequestKind.ARREST, RequestKind.EXPEL}


@dataclass
class SubjectInput:
    name: str
    details: str = ""


@dataclass
class RequestInput:
    to_party: str
    kind: str
    grounds: str
    deadline: dt.datetime
    subjects: list[SubjectInput] = field(default_factory=list)
    commitment: str | None = None
    place: str | None = None


def _event(actor: User, step: str, request: PartyRequest, **payload: object) -> None:
    event_append(
        actor=actor,
        kind=f"request.{step}",
        object_type="request",
        object_id=request.id,
        payload={"request": request.id, **payload},
    )


def request_make(*, actor: User, data: RequestInput) -> PartyRequest:
    if actor.role != Role.LIAISON or actor.organisation_id is None:
        raise Forbidden("only a party's liaison makes a request to the other party")
    errors: dict[str, list[str]] = {}
    to = Organisation.objects.filter(
        pk=data.to_party, kind=OrganisationKind.PARTY, retired=False
    ).first()
    if to is None or to.pk == actor.organisation_id:
        errors["to_party"] = ["another party of the agreement"]
    if data.kind not in RequestKind.values:
        errors["kind"] = [f"one of {', '.join(RequestKind.values)}"]
    if not data.grounds.strip():
        errors["grounds"] = ["say why"]
    if data.deadline.tzinfo is None:
        errors["deadline"] = ["give a time zone"]
    elif data.deadline <= timezone.now():
        errors["deadline"] = ["in the future"]
    if data.kind in NAMED and not data.subjects:
        errors["subjects"] = ["name at least one person or group"]
    for n, s in enumerate(data.subjects):
        if not s.name.strip():
            errors[f"subjects[{n}].name"] = ["a name"]
    commitment = place = None
    if data.commitment:
        commitment = Commitment.objects.filter(pk=data.commitment, retired=False).first()
        if commitment is None:
            errors["commitment"] = ["unknown commitment"]
    if data.place:
        place = Place.objects.filter(pk=data.place).first()
        if place is None:
            errors["place"] = ["unknown place"]
    if errors:
        raise Invalid(errors)
    assert to is not None
    with transaction.atomic():
        request = PartyRequest.objects.create(
            kind=data.kind,
            from_party_id=actor.organisation_id,
            to_party=to,
            commitment=commitment,
            place=place,
            grounds=data.grounds.strip(),
            deadline=data.deadline,
            made_by=actor,
            made_at=timezone.now(),
        )
        for s in data.subjects:
            Subject.objects.create(request=request, name=s.name.strip(), details=s.details.strip())
        _event(
            actor,
            "made",
            request,
            kind=request.kind,
            from_party=request.from_party_id,
            to_party=request.to_party_id,
            deadline=request.deadline,
            subjects=[s.name.strip() for s in data.subjects],
            grounds=request.grounds,
        )
    return request


def request_answer(
    *, actor: User, request: PartyRequest, answer: str, reasons: str
) -> PartyRequest:
    if actor.role != Role.LIAISON or actor.organisation_id != request.to_party_id:
        raise Forbidden("only the liaison of the party asked answers")
    if answer not in Answer.values:
        raise Invalid({"answer": [f"one of {', '.join(Answer.values)}"]})
    if answer != Answer.ACCEPTED and not reasons.strip():
        raise Invalid({"reasons": ["say why, when refusing or doing it in part"]})
    with transaction.atomic():
        request = PartyRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != RequestState.OPEN:
            raise ApiError("conflict", "This request has been answered already.")
        now = timezone.now()
        request.answer = answer
        request.answer_reasons = reasons.strip()
        request.answered_by = actor
        request.answered_at = now
        request.answered_late = now > request.deadline
        request.state = RequestState.ANSWERED
        request.save()
        _event(actor, "answered", request, answer=answer, late=request.answered_late)
    return request


def request_verify(
    *,
    actor: User,
    request: PartyRequest,
    happened: bool,
    on: dt.date,
    place: str | None,
    subjects: list[int],
    notes: str,
) -> Verification:
    """A monitor records what was seen to happen (e.g. a hand-over at a border post)."""
    if actor.role != Role.MONITOR:
        raise Forbidden("only monitors record what they verified")
    errors: dict[str, list[str]] = {}
    where = None
    if place:
        where = Place.objects.filter(pk=place).first()
        if where is None:
            errors["place"] = ["unknown place"]
    named = list(request.subjects.filter(pk__in=subjects))
    if len(named) != len(set(subjects)):
        errors["subjects"] = ["only people this request names"]
    if on > timezone.now().date():
        errors["on"] = ["not in the future"]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        request = PartyRequest.objects.select_for_update().get(pk=request.pk)
        if hasattr(request, "verification"):
            raise ApiError("conflict", "What happened has been recorded already.")
        verification = Verification.objects.create(
            request=request,
            happened=happened,
            place=where,
            on=on,
            notes=notes.strip(),
            verified_by=actor,
            verified_at=timezone.now(),
        )
        verification.subjects.set(named)
        request.state = RequestState.VERIFIED
        request.save(update_fields=["state"])
        _event(
            actor,
            "verified",
            request,
            happened=happened,
            on=on,
            place=where.pk if where else None,
            subjects=len(named),
        )
    return verification


def subjects_read(*, actor: User, request: PartyRequest) -> list[Subject]:
    """The names, for someone allowed to see them; each reading is on the ledger."""
    with transaction.atomic():
        _event(actor, "subjects-read", request, by_party=actor.organisation_id)
    return list(request.subjects.all())
