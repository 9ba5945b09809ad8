"""Requests between parties: made by one party's liaison, answered by the other's, verified by
the monitors. Each step is a ledger event; names never enter a public surface."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts import twofactor
from truceline.accounts.models import User
from truceline.core.canonical import canonical_bytes
from truceline.core.errors import ApiError, Forbidden, Invalid
from truceline.followup.models import (
    Answer,
    Measure,
    MeasureKind,
    PartyRequest,
    RequestKind,
    RequestState,
    Subject,
    Verification,
)
from truceline.ledger.services import event_append
from truceline.policy import can
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
    if not can(actor, "request.make"):
        raise Forbidden(gettext("only a party's liaison makes a request to the other party"))
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
            from_party_id=cast(str, actor.organisation_id),  # can() required one
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
    if not can(actor, "answer", request, any_state=True):
        raise Forbidden(gettext("only the liaison of the party asked answers"))
    if answer not in Answer.values:
        raise Invalid({"answer": [f"one of {', '.join(Answer.values)}"]})
    if answer != Answer.ACCEPTED and not reasons.strip():
        raise Invalid({"reasons": [gettext("say why, when refusing or doing it in part")]})
    with transaction.atomic():
        request = PartyRequest.objects.select_for_update().get(pk=request.pk)
        if request.state != RequestState.OPEN:
            raise ApiError("conflict", gettext("This request has been answered already."))
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
    subjects: list[str],
    notes: str,
) -> Verification:
    """A monitor records what was seen to happen (e.g. a hand-over at a border post)."""
    if not can(actor, "verify", request):
        raise Forbidden(gettext("only monitors record what they verified"))
    errors: dict[str, list[str]] = {}
    where = None
    if place:
        where = Place.objects.filter(pk=place).first()
        if where is None:
            errors["place"] = ["unknown place"]
    named = list(request.subjects.filter(public_id__in=subjects))
    if len(named) != len(set(subjects)):
        errors["subjects"] = ["only people this request names"]
    if on > timezone.now().date():
        errors["on"] = ["not in the future"]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        request = PartyRequest.objects.select_for_update().get(pk=request.pk)
        if hasattr(request, "verification"):
            raise ApiError("conflict", gettext("What happened has been recorded already."))
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


def measure_statement(
    finding: Any, party: str, kind: str, text: str, due: Any, org: str, key_id: str
) -> bytes:
    """The exact bytes a guarantor signs for a measure."""
    return canonical_bytes(
        {
            "finding_sha256": finding.sha256,
            "party": party,
            "kind": kind,
            "text": text,
            "due": due,
            "organisation": org,
            "key_id": key_id,
        }
    )


def measure_decide(
    *,
    actor: User,
    finding: Any,
    party: str,
    kind: str,
    text: str,
    due: dt.date | None,
    code: str,
) -> Measure:
    """A guarantor's signatory decides a measure on a published finding, signed with its
    organisation's key and a fresh code from the signatory's authenticator (``code``)."""
    from truceline.findings import keys
    from truceline.findings.models import FindingStatus

    if not can(actor, "decide-measure", finding, any_state=True):
        raise Forbidden(gettext("only a guarantor's signatory decides a measure"))
    errors: dict[str, list[str]] = {}
    if finding.status != FindingStatus.PUBLISHED:
        raise ApiError("conflict", gettext("Measures follow a published finding."))
    if kind not in MeasureKind.values:
        errors["kind"] = [f"one of {', '.join(MeasureKind.values)}"]
    if not text.strip():
        errors["text"] = ["say what is decided"]
    if kind == MeasureKind.DEMAND and due is None:
        errors["due"] = ["a demand has a date"]
    if not Organisation.objects.filter(pk=party, kind=OrganisationKind.PARTY).exists():
        errors["party"] = ["a party of the agreement"]
    if errors:
        raise Invalid(errors)
    org = cast(str, actor.organisation_id)  # can() required one
    key = keys.current_key(org)
    if key is None:
        raise ApiError(
            "conflict", gettext("your organisation has no signing key; ask the secretariat")
        )
    twofactor.check_signature_code(actor, code, act="measure.decide")
    statement = measure_statement(finding, party, kind, text.strip(), due, org, key.key_id)
    with transaction.atomic():
        measure = Measure.objects.create(
            finding=finding,
            party_id=party,
            kind=kind,
            text=text.strip(),
            due=due,
            organisation_id=org,
            decided_by=actor,
            key=key,
            statement=statement.decode(),
            signature=keys.sign(key, statement),
            decided_at=timezone.now(),
        )
        event_append(
            actor=actor,
            kind="measure.decided",
            object_type="measure",
            object_id=measure.id,
            payload={
                "finding": finding.pk,
                "party": party,
                "kind": kind,
                "due": due,
                "organisation": org,
                "key_id": key.key_id,
                "signature": measure.signature,
            },
        )
    return measure


def measure_announce(*, actor: User, measure: Measure) -> Measure:
    if not can(actor, "announce", measure):
        raise Forbidden(gettext("only monitors announce a measure"))
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        if measure.announced_at is not None:
            return measure
        measure.announced_at = timezone.now()
        measure.save(update_fields=["announced_at"])
        event_append(
            actor=actor,
            kind="measure.announced",
            object_type="measure",
            object_id=measure.id,
            payload={"measure": measure.id},
        )
    return measure


def measure_done(*, actor: User, measure: Measure, note: str) -> Measure:
    if not can(actor, "done", measure):
        raise Forbidden(gettext("only monitors record that a measure was carried out"))
    if not note.strip():
        raise Invalid({"note": [gettext("say what was seen done")]})
    with transaction.atomic():
        measure = Measure.objects.select_for_update().get(pk=measure.pk)
        if measure.done_at is not None:
            raise ApiError("conflict", gettext("This measure is recorded as done already."))
        measure.done_at = timezone.now()
        measure.done_note = note.strip()
        measure.save(update_fields=["done_at", "done_note"])
        event_append(
            actor=actor,
            kind="measure.done",
            object_type="measure",
            object_id=measure.id,
            payload={
                "measure": measure.id,
                "late": bool(measure.due and measure.done_at.date() > measure.due),
            },
        )
    return measure
