"""The compliance grid: every commitment × party × month, its indicators computed from the
mechanism's own records (each with the records behind it), and the status monitors propose
and guarantors confirm."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts import twofactor
from truceline.accounts.models import User
from truceline.core.errors import ApiError, Forbidden, Invalid
from truceline.followup.models import (
    Answer,
    Assessment,
    Compliance,
    PartyRequest,
    RequestState,
)
from truceline.ledger.services import event_append
from truceline.policy import can
from truceline.scenario.models import Commitment, Organisation, OrganisationKind

BREACH = {"confirmed-violation", "likely-violation"}


def month_bounds(period: str) -> tuple[dt.datetime, dt.datetime]:
    try:
        start = dt.datetime.strptime(period + "-01", "%Y-%m-%d").replace(tzinfo=dt.UTC)
    except ValueError as exc:
        raise Invalid({"period": ["YYYY-MM"]}) from exc
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


def periods(until: dt.date | None = None, months: int = 3) -> list[str]:
    """The last ``months`` months, oldest first, ending with the current one."""
    day = until or timezone.now().date()
    out = []
    year, month = day.year, day.month
    for _ in range(months):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


@dataclass
class Indicator:
    slug: str
    name: str
    value: str | None  # None: not measured from the records yet
    records: list[str] = field(default_factory=list)  # ids behind the figure
    of: str = "incidents"  # what the records are: incidents or requests
    names: dict[str, str] = field(default_factory=dict)  # the name by language (|named)

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "value": self.value,
            "of": self.of,
            "records": self.records,
        }


def _findings(commitment: Commitment, party: str, start: Any, end: Any, grade: str) -> list[str]:
    from truceline.findings.models import Finding

    found = Finding.objects.filter(
        status="published",
        published_at__gte=start,
        published_at__lt=end,
        determination__in=BREACH,
        grade=grade,
        territory_id=party,
    )
    return [f.incident_id for f in found if commitment.slug in (f.clauses or [])]


def _in_categories(categories: list[str], party: str, start: Any, end: Any) -> list[str]:
    """Incidents in the categories that published findings established (violation, confirmed
    or likely) and placed on the party's territory, published in the period."""
    from truceline.findings.models import Finding

    found = Finding.objects.filter(
        status="published",
        published_at__gte=start,
        published_at__lt=end,
        determination__in=BREACH,
        territory_id=party,
        incident__category_id__in=categories,
    ).order_by("incident_id")
    return list(found.values_list("incident_id", flat=True).distinct())


def _requests(commitment: Commitment, party: str, start: Any, end: Any) -> list[PartyRequest]:
    return list(
        PartyRequest.objects.filter(
            commitment=commitment, to_party_id=party, made_at__gte=start, made_at__lt=end
        ).select_related("verification")
    )


def indicators(commitment: Commitment, party: str, period: str) -> list[Indicator]:
    start, end = month_bounds(period)
    out = []
    for spec in commitment.indicators or []:
        slug, name = spec.get("slug", ""), spec.get("name", "")
        if spec.get("categories"):
            ids = _in_categories(list(spec["categories"]), party, start, end)
            out.append(Indicator(slug, name, str(len(ids)), ids))
        elif slug in {"confirmed-state-violations", "confirmed-attacks-by-omission"}:
            grade = "direct" if slug == "confirmed-state-violations" else "omission"
            ids = _findings(commitment, party, start, end, grade)
            out.append(Indicator(slug, name, str(len(ids)), ids))
        elif slug in {"requests-answered", "requests-acted-on"}:
            asked = _requests(commitment, party, start, end)
            if slug == "requests-answered":
                done = [r for r in asked if r.state != RequestState.OPEN and not r.answered_late]
            else:
                done = [
                    r
                    for r in asked
                    if r.answer in {Answer.ACCEPTED, Answer.PARTLY}
                    and hasattr(r, "verification")
                    and r.verification.happened
                ]
            value = f"{len(done)} of {len(asked)}" if asked else "0 of 0"
            out.append(Indicator(slug, name, value, [r.id for r in done], of="requests"))
        elif slug == "replies-on-time":
            opened, answered, first = _replies(party, start, end)
            out.append(Indicator(slug, name, f"{answered} of {opened}", first))
        elif slug == "crossings-open":
            out.append(Indicator(slug, name, _crossings_open(start, end)))
        else:
            out.append(Indicator(slug, name, None))
        out[-1].names = dict(spec.get("names") or {})
    return out


def _replies(party: str, start: Any, end: Any) -> tuple[int, int, list[str]]:
    """Incidents opened to the party in the period whose reply window has closed; how many of
    them it answered within the window; the first 200 of those (the records behind the figure).
    Counted from the responses' side: there are far fewer replies than incidents."""
    from django.utils import timezone

    from truceline.incidents.models import Incident, Response

    now = timezone.now()
    opened = Incident.objects.filter(
        accused_party_id=party, opened_at__gte=start, opened_at__lt=end, reply_due_at__lt=now
    ).count()
    on_time = (
        Response.objects.filter(
            party_id=party,
            late=False,
            incident__accused_party_id=party,
            incident__opened_at__gte=start,
            incident__opened_at__lt=end,
            incident__reply_due_at__lt=now,
        )
        .order_by("incident_id")
        .values_list("incident_id", flat=True)
        .distinct()
    )
    return opened, on_time.count(), list(on_time[:200])


def _crossings_open(start: Any, end: Any) -> str:
    """Crossings open (to anyone) on an average day of the period, of all crossings, from the
    monitors' status records; days after today are not counted."""
    from django.utils import timezone

    from truceline.geo.models import CrossingChange, CrossingState
    from truceline.scenario.models import Place, PlaceKind

    end = min(end, timezone.now())
    if end <= start:
        return "—"
    crossings = list(
        Place.objects.filter(kind=PlaceKind.CROSSING, retired=False).values_list("pk", flat=True)
    )
    days = max(1, round((end - start).total_seconds() / 86400))
    open_days = 0.0
    for crossing in crossings:
        changes = list(
            CrossingChange.objects.filter(crossing_id=crossing, since__lt=end).order_by(
                "since", "recorded_at"
            )
        )
        status, at = None, start
        for change in changes:
            if change.since > at:
                open_days += (
                    (change.since - at).total_seconds() / 86400
                    if status == CrossingState.OPEN
                    else 0
                )
                at = change.since
            status = change.status
        if status == CrossingState.OPEN:
            open_days += (end - at).total_seconds() / 86400
    return f"{open_days / days:.1f} of {len(crossings)}"


MAX_MONTHS = 12


def period_range(start: str | None, months: int | None) -> list[str]:
    """The months of a grid: ``months`` (1 to 12; default 3) from ``start`` (YYYY-MM), or
    ending with the current month when no start is given."""
    count = 3 if months is None else months
    errors: dict[str, list[str]] = {}
    if not 1 <= count <= MAX_MONTHS:
        errors["months"] = [f"from 1 to {MAX_MONTHS}"]
    first = None
    if start:
        try:
            first, _end = month_bounds(start)
        except Invalid:
            errors["from"] = ["a month, as YYYY-MM"]
    if errors:
        raise Invalid(errors)
    if first is None:
        return periods(months=count)
    last = first
    for _ in range(count - 1):
        last = (last + dt.timedelta(days=32)).replace(day=1)
    return periods(until=last.date(), months=count)


def grid(viewer: Any, cols: list[str]) -> dict[str, Any]:
    """Every commitment × party × period, with indicators and the assessment if any, as this
    viewer may see them: an assessment it may not see reads "not assessed", and the records
    behind a figure are only those it may open (the figure itself is the same for all)."""
    from truceline.policy import visible_to

    parties = list(Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False))
    assessed = {
        (a.commitment_id, a.party_id, a.period): a
        for a in visible_to(viewer, Assessment).filter(period__in=cols)
    }
    rows = []
    for commitment in Commitment.objects.filter(retired=False).prefetch_related("parties"):
        bound = {p.pk for p in commitment.parties.all()}
        for party in parties:
            if party.pk not in bound:
                continue
            cells = []
            for period in cols:
                assessment = assessed.get((commitment.pk, party.pk, period))
                cells.append(
                    {
                        "period": period,
                        "indicators": shown(viewer, indicators(commitment, party.pk, period)),
                        "assessment": assessment,
                        "status": assessment.status if assessment else Compliance.NOT_ASSESSED,
                    }
                )
            rows.append({"commitment": commitment, "party": party, "cells": cells})
    return {"periods": cols, "rows": rows}


def shown(viewer: Any, found: list[Indicator]) -> list[Indicator]:
    """The indicators with only the records behind them that this viewer may open."""
    from truceline.incidents.models import Incident
    from truceline.policy import visible_to

    out = []
    for ind in found:
        if ind.records:
            model = PartyRequest if ind.of == "requests" else Incident
            seen = set(
                visible_to(viewer, model).filter(pk__in=ind.records).values_list("pk", flat=True)
            )
            ind = dataclasses.replace(ind, records=[r for r in ind.records if r in seen])
        out.append(ind)
    return out


def _log(actor: User, step: str, a: Assessment) -> None:
    event_append(
        actor=actor,
        kind=f"compliance.{step}",
        object_type="assessment",
        object_id=f"{a.commitment_id}/{a.party_id}/{a.period}",
        payload={"status": a.status, "reasons": a.reasons},
    )


def assessment_propose(
    *, actor: User, commitment: str, party: str, period: str, status: str, reasons: str
) -> Assessment:
    if not can(actor, "assessment.propose"):
        raise Forbidden(gettext("monitors propose a compliance status"))
    month_bounds(period)
    errors = {}
    if status not in Compliance.values:
        errors["status"] = [f"one of {', '.join(Compliance.values)}"]
    if not reasons.strip():
        errors["reasons"] = ["say why"]
    clause = Commitment.objects.filter(pk=commitment, retired=False).first()
    if clause is None:
        errors["commitment"] = ["unknown commitment"]
    elif not clause.parties.filter(pk=party).exists():
        errors["party"] = ["a party bound by this commitment"]
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update()
            .filter(commitment_id=commitment, party_id=party, period=period)
            .first()
        )
        if current is not None and current.confirmed_at is not None:
            raise ApiError(
                "conflict", gettext("This status is confirmed by the guarantors already.")
            )
        if current is None:
            current = Assessment(commitment_id=commitment, party_id=party, period=period)
        current.status = status
        current.reasons = reasons.strip()
        current.proposed_by = actor
        current.proposed_at = timezone.now()
        current.save()
        _log(actor, "proposed", current)
    return current


def assessment_confirm(*, actor: User, assessment: Assessment, code: str) -> Assessment:
    """A guarantor confirms the monitors' status: an act in its name, so with a fresh code
    from the signatory's authenticator."""
    if not can(actor, "confirm", assessment, any_state=True):
        raise Forbidden(gettext("a guarantor's signatory confirms a compliance status"))
    if assessment.confirmed_at is not None:
        raise ApiError("conflict", gettext("Confirmed already."))
    twofactor.check_signature_code(actor, code, act="assessment.confirm")
    with transaction.atomic():
        current = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if current.confirmed_at is not None:
            raise ApiError("conflict", gettext("Confirmed already."))
        current.confirmed_by = actor
        current.confirmed_at = timezone.now()
        current.save(update_fields=["confirmed_by", "confirmed_at"])
        _log(actor, "confirmed", current)
    return current
