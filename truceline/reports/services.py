"""Submitting, amending and withdrawing reports, and the drafts they are written in."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.canonical import jsonable
from truceline.core.errors import ApiError, Forbidden, IllegalTransition, Invalid
from truceline.evidence.services import evidence_attach
from truceline.geo.services import copy_location, locate
from truceline.incidents.models import Incident, State
from truceline.incidents.services import incident_withdraw_if_empty
from truceline.ledger.models import Event
from truceline.ledger.services import event_append
from truceline.policy import can
from truceline.reports.models import DraftState, Report, ReportDraft, ReportVersion, SourceType
from truceline.scenario.models import Category, Organisation, OrganisationKind, Place

CASUALTY_KINDS = ("killed", "injured")
CASUALTY_GROUPS = ("civilians", "security", "militants")
CLOCK_SKEW = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class ReportInput:
    """A report's substance as a filer gives it (already type-checked by the API schema)."""

    category: str
    accused_party: str
    occurred_at: dt.datetime
    time_precision: str
    lat: float
    lon: float
    location_precision: str
    place: str | None
    narrative: str
    casualties: dict[str, dict[str, int | list[int]]]
    origin: str | None
    confidentiality: str
    urgent: bool
    sources: list[str]
    evidence: list[str]
    source_type: str = "direct"


def _normalise_casualties(raw: dict[str, dict[str, Any]]) -> dict[str, dict[str, list[int]]]:
    """Every figure as ``[low, high]``; a single number n is ``[n, n]``."""
    out: dict[str, dict[str, list[int]]] = {}
    errors: dict[str, list[str]] = {}
    for kind, groups in raw.items():
        if kind not in CASUALTY_KINDS:
            errors[f"casualties.{kind}"] = [f"expected one of {', '.join(CASUALTY_KINDS)}"]
            continue
        for group, value in groups.items():
            path = f"casualties.{kind}.{group}"
            if group not in CASUALTY_GROUPS:
                errors[path] = [f"expected one of {', '.join(CASUALTY_GROUPS)}"]
                continue
            low, high = (value, value) if isinstance(value, int) else [*value, None, None][:2]
            if (
                not isinstance(low, int)
                or not isinstance(high, int)
                or (not isinstance(value, int) and len(value) != 2)
                or low < 0
                or high < low
            ):
                errors[path] = ["a number, or [low, high] with 0 ≤ low ≤ high"]
                continue
            out.setdefault(kind, {})[group] = [low, high]
    if errors:
        raise Invalid(errors)
    return out


def _resolve(actor: User, data: ReportInput) -> dict[str, Any]:
    """Check the business rules and resolve slugs; 422 naming each bad field."""
    errors: dict[str, list[str]] = {}
    category = Category.objects.filter(pk=data.category, retired=False).first()
    if category is None:
        errors["category"] = ["unknown category"]
    parties = {  # the accused and the origin in one read
        party.pk: party
        for party in Organisation.objects.filter(
            pk__in={data.accused_party, data.origin or data.accused_party},
            kind=OrganisationKind.PARTY,
        )
    }
    accused = parties.get(data.accused_party)
    if accused is None or accused.retired:
        accused = None
        errors["accused_party"] = ["unknown party"]
    elif accused.pk == actor.organisation_id:
        errors["accused_party"] = ["a party cannot accuse itself"]
    origin = None
    if data.origin:
        origin = parties.get(data.origin)
        if origin is None:
            errors["origin"] = ["unknown party"]
    place = None
    if data.place:
        place = Place.objects.filter(pk=data.place, retired=False).first()
        if place is None:
            errors["location.place"] = ["unknown place"]
    if data.occurred_at.tzinfo is None:
        errors["occurred_at"] = ["give a time zone (e.g. Z or +05:00)"]
    elif data.occurred_at > timezone.now() + CLOCK_SKEW:
        errors["occurred_at"] = ["in the future"]
    if not data.narrative.strip():
        errors["narrative"] = ["describe what happened"]
    if data.source_type not in SourceType.values:
        errors["source_type"] = [f"expected one of {', '.join(SourceType.values)}"]
    if len(set(data.evidence)) != len(data.evidence):
        errors["evidence"] = ["an item is cited twice"]
    try:
        casualties = _normalise_casualties(data.casualties)
    except Invalid as exc:
        errors.update(exc.fields)
        casualties = {}
    if errors:
        raise Invalid(errors)
    return {
        "category": category,
        "accused_party": accused,
        "origin": origin,
        "occurred_at": data.occurred_at,
        "time_precision": data.time_precision,
        "lat": data.lat,
        "lon": data.lon,
        "location_precision": data.location_precision,
        "place": place,
        "narrative": data.narrative.strip(),
        "casualties": casualties,
        "sources": [s.strip() for s in data.sources if s.strip()],
        "source_type": data.source_type,
        "evidence": list(data.evidence),
        "confidentiality": data.confidentiality,
        "urgent": data.urgent,
    }


def _substance(values: dict[str, Any]) -> dict[str, Any]:
    """The report's substance as canonical-JSON-ready values (slugs, not rows)."""
    return jsonable({k: (v.pk if hasattr(v, "pk") else v) for k, v in values.items()})  # type: ignore[return-value]


def report_submit(
    *, actor: User, data: ReportInput, draft: ReportDraft | None = None
) -> tuple[Report, Event]:
    """A liaison (for its own party) or a monitor (own observation) files a report; it opens a
    new incident in the received state. Returns the report and its ledger event. The draft it was
    written in, if any, is marked submitted in the same transaction."""
    if not can(actor, "report.file"):
        raise Forbidden(gettext("only party liaisons and monitors file reports"))
    values = _resolve(actor, data)
    now = timezone.now()
    with transaction.atomic():
        if draft is not None:
            draft = _open_draft(actor, draft)
        report = Report(
            filed_by=actor,
            filing_org=actor.organisation,  # held already: the answer reads its kind
            submitted_at=now,
            receipt_seq=0,
            **values,
        )
        locate(report, data.lat, data.lon, origin=data.origin)
        incident = Incident(
            category=values["category"],
            accused_party=values["accused_party"],
            occurred_at=values["occurred_at"],
            urgent=values["urgent"],
            created_at=now,
            filers=f",{actor.organisation_id},",
        )
        _summarise(incident, report)
        incident.save()
        report.incident = incident
        report.save()
        if data.evidence:  # the filer's own uploads, now tied to this incident
            evidence_attach(actor=actor, ids=list(data.evidence), citing=report)
        substance = _substance(values)
        event = event_append(
            actor=actor,
            kind="report.submitted",
            object_type="report",
            object_id=report.id,
            payload={
                "report": report.id,
                "incident": incident.id,
                "version": 1,
                "filed_by": actor.username,
                "filing_org": actor.organisation_id,
                "substance": substance,
            },
        )
        report.receipt_seq = event.seq
        report.save(update_fields=["receipt_seq"])
        ReportVersion.objects.create(
            report=report, number=1, submitted_at=now, data=substance, event_seq=event.seq
        )
        if draft is not None:
            draft.state = DraftState.SUBMITTED
            draft.report = report
            draft.save(update_fields=["state", "report"])
    return report, event


def _summarise(incident: Incident, report: Report) -> None:
    """An incident takes its place and casualty counts (lower bounds) from its report."""
    copy_location(incident, report)
    incident.killed = sum(low for low, _ in report.casualties.get("killed", {}).values())
    incident.injured = sum(low for low, _ in report.casualties.get("injured", {}).values())


def _require_filer(actor: User, report: Report, action: str) -> None:
    if not can(actor, action, report):
        raise Forbidden(gettext("only the filer may change this report"))


def report_amend(*, actor: User, report: Report, data: ReportInput) -> Report:
    """Before triage the filer may amend: a new version, every version kept."""
    values = _resolve(actor, data)
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _require_filer(actor, report, "amend")
        incident = Incident.objects.select_for_update().get(pk=report.incident_id)
        if report.withdrawn or incident.state != State.RECEIVED:
            raise IllegalTransition(state=incident.state, action="amend")
        for key, value in values.items():
            setattr(report, key, value)
        report.version += 1
        locate(report, data.lat, data.lon, origin=data.origin)
        report.save()
        # what the amended report cites: checked like a new one's, and what it no longer
        # cites stops reaching others through it
        evidence_attach(actor=actor, ids=list(data.evidence), citing=report)
        if incident.reports.count() == 1:
            incident.category = values["category"]
            incident.accused_party = values["accused_party"]
            incident.occurred_at = values["occurred_at"]
            incident.urgent = values["urgent"]
            _summarise(incident, report)
            incident.save()
        substance = _substance(values)
        event = event_append(
            actor=actor,
            kind="report.amended",
            object_type="report",
            object_id=report.id,
            payload={"report": report.id, "version": report.version, "substance": substance},
        )
        ReportVersion.objects.create(
            report=report,
            number=report.version,
            submitted_at=event.recorded_at,
            data=substance,
            event_seq=event.seq,
        )
    return report


def report_withdraw(*, actor: User, report: Report, reason: str = "") -> Report:
    """Before triage the filer may withdraw; an incident with no report left is withdrawn."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        _require_filer(actor, report, "withdraw")
        incident = report.incident
        if report.withdrawn or incident.state != State.RECEIVED:
            raise IllegalTransition(state=incident.state, action="withdraw")
        report.withdrawn = True
        report.save(update_fields=["withdrawn"])
        event_append(
            actor=actor,
            kind="report.withdrawn",
            object_type="report",
            object_id=report.id,
            payload={"report": report.id, "reason": reason.strip()},
        )
        incident_withdraw_if_empty(incident=incident, actor=actor)
    return report


DRAFT_MAX_BYTES = 64 * 1024


def _open_draft(actor: User, draft: ReportDraft) -> ReportDraft:
    draft = ReportDraft.objects.select_for_update().get(pk=draft.pk)
    if draft.owner_id != actor.pk:
        raise Forbidden()
    if draft.state != DraftState.OPEN:
        raise IllegalTransition(state=draft.state, action=gettext("change the draft"))
    return draft


def draft_save(
    *,
    actor: User,
    data: dict[str, Any],
    draft: ReportDraft | None = None,
    revision: int | None = None,
) -> ReportDraft:
    """Save what the author has written so far, as it is (nothing is checked until it is
    submitted). Saving over a newer revision than the one the author started from is a 409,
    so that a phone and a laptop do not silently overwrite each other."""
    if not can(actor, "report.draft"):
        raise Forbidden(gettext("only party liaisons and monitors file reports"))
    try:
        size = len(json.dumps(data, allow_nan=False).encode())
    except ValueError as exc:
        raise Invalid({"data": [gettext("not plain JSON (NaN or Infinity)")]}) from exc
    if size > DRAFT_MAX_BYTES:
        raise Invalid({"data": [f"a draft holds at most {DRAFT_MAX_BYTES // 1024} KB"]})
    now = timezone.now()
    with transaction.atomic():
        if draft is None:
            return ReportDraft.objects.create(
                owner=actor, data=data, created_at=now, updated_at=now
            )
        draft = _open_draft(actor, draft)
        if revision is not None and revision != draft.revision:
            raise ApiError(
                "conflict",
                gettext("this draft was saved elsewhere since; reload it before saving"),
                extra={"revision": draft.revision},
            )
        draft.data = data
        draft.revision += 1
        draft.updated_at = now
        draft.save(update_fields=["data", "revision", "updated_at"])
    return draft


def draft_discard(*, actor: User, draft: ReportDraft) -> ReportDraft:
    """The author drops a draft; it is kept, marked discarded, and no longer offered."""
    with transaction.atomic():
        draft = _open_draft(actor, draft)
        draft.state = DraftState.DISCARDED
        draft.updated_at = timezone.now()
        draft.save(update_fields=["state", "updated_at"])
    return draft
