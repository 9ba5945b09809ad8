"""The periodic verification report: what the mechanism found over a date range, for the
parties and the next round of talks (the restricted edition) or for everyone (the public one).

An edition is defined by who may read it, and every object in it comes through the
compartment policy for those readers: the public edition holds what the public may see (only
published material, places rounded); the parties' edition holds what *both* parties may see,
so that one report can go to both. Names of the people a request concerns are in neither.
The report names the ledger checkpoint it was made at, so a reader can check later that the
records behind it have not changed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, QuerySet, Sum
from django.utils import timezone

from truceline.accounts.models import Role, User
from truceline.core.errors import Invalid
from truceline.dashboards.selectors import PERIODS, period_for, weekly_figures
from truceline.dashboards.tally import week_of
from truceline.scenario.models import Organisation, OrganisationKind, Scenario

EDITIONS = {"public": "Public edition", "parties": "Restricted edition for the parties"}
# A report covers at most this many years: the mechanism's whole life so far, with room to spare
# (the figures are drawn per week, month or quarter as the period grows; see period_for).
MAX_YEARS = 25
MAX_DAYS = MAX_YEARS * 366
# The compliance table shows the last months of the period, this many to a table so that each
# table fits a portrait page.
COMPLIANCE_MONTHS = 12
MONTHS_PER_TABLE = 6


def readers(edition: str) -> list[Any]:
    """Who an edition is for: the public, or a liaison of each party (unsaved stand-ins: the
    policy asks only their role and organisation)."""
    if edition == "public":
        return [AnonymousUser()]
    return [
        User(username=f"edition-{p.pk}", role=Role.LIAISON, organisation=p, is_active=True)
        for p in Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False)
    ]


def shared(people: list[Any], model: type[Model]) -> QuerySet[Any]:
    """What every reader of the edition may see."""
    from truceline.policy import visible_to

    qs = visible_to(people[0], model)
    for person in people[1:]:
        qs = qs.filter(pk__in=visible_to(person, model).values("pk"))
    return qs


def check_range(start: dt.date | None, end: dt.date | None, edition: str) -> None:
    errors: dict[str, list[str]] = {}
    if start is None:
        errors["from"] = ["a date, as YYYY-MM-DD"]
    if end is None:
        errors["to"] = ["a date, as YYYY-MM-DD"]
    if start and end and end < start:
        errors["to"] = ["on or after the first day"]
    elif start and end and (end - start).days > MAX_DAYS:
        errors["to"] = [f"at most {MAX_YEARS} years after the first day"]
    if edition not in EDITIONS:
        errors["edition"] = [f"one of {', '.join(EDITIONS)}"]
    if errors:
        raise Invalid(errors)


def build(start: dt.date, end: dt.date, edition: str) -> dict[str, Any]:
    from truceline.findings.models import Finding
    from truceline.followup.compliance import grid, periods
    from truceline.followup.models import Measure, PartyRequest, RequestState
    from truceline.followup.selectors import request_counts
    from truceline.geo.selectors import crossings_now
    from truceline.incidents.models import Incident, Response
    from truceline.ledger.selectors import checkpoint_text, latest_checkpoint
    from truceline.ledger.services import checkpoint_now
    from truceline.publications.mapsvg import incident_map

    check_range(start, end, edition)
    people = readers(edition)
    viewer = people[0]
    scenario = Scenario.objects.get()
    lo = dt.datetime.combine(start, dt.time(), dt.UTC)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.UTC)
    parties = list(Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False))
    names = {p.pk: p.name for p in parties}

    incidents = shared(people, Incident).filter(occurred_at__gte=lo, occurred_at__lt=hi)
    weeks = []
    week = week_of(lo)
    while week <= end:
        weeks.append(week)
        week += dt.timedelta(days=7)
    by = period_for(start, end)
    chart, table = weekly_figures(weeks, parties, by=by)
    reported = {p.pk: sum(row["reported"][i] for row in table) for i, p in enumerate(parties)}
    confirmed = {p.pk: sum(row["confirmed"][i] for row in table) for i, p in enumerate(parties)}
    casualties = incidents.aggregate(killed=Sum("killed"), injured=Sum("injured"))

    findings_qs = shared(people, Finding).filter(status__in=["endorsed", "published"])
    findings = list(
        findings_qs.filter(endorsed_at__gte=lo, endorsed_at__lt=hi)
        .select_related("incident", "attributed_party", "territory")
        .order_by("endorsed_at")
    )
    from truceline.incidents.outputs import response_out

    responses = list(
        shared(people, Response)
        .filter(incident_id__in=[f.incident_id for f in findings])
        .select_related("party")
        .order_by("submitted_at")
    )
    # Responses as the edition's reader may read them (seals applied), never the row's text.
    by_incident: dict[str, list[Any]] = {}
    for r in responses:
        shown = {**response_out(r, viewer), "party_name": r.party.shown_name}
        by_incident.setdefault(r.incident_id, []).append(shown)
    span = (end.year - start.year) * 12 + end.month - start.month + 1
    months = periods(until=end, months=min(COMPLIANCE_MONTHS, max(1, span)))
    compliance = grid(viewer, months)
    compliance_tables = [
        {
            "periods": compliance["periods"][i : i + MONTHS_PER_TABLE],
            "rows": [
                {**row, "cells": row["cells"][i : i + MONTHS_PER_TABLE]}
                for row in compliance["rows"]
            ],
        }
        for i in range(0, len(compliance["periods"]), MONTHS_PER_TABLE)
    ]
    open_requests = (
        list(
            shared(people, PartyRequest)
            .filter(state=RequestState.OPEN)
            .select_related("from_party", "to_party")
            .order_by("deadline")
        )
        if edition != "public"
        else []
    )
    checkpoint = checkpoint_now() or latest_checkpoint()
    return {
        "scenario": scenario,
        "edition": edition,
        "edition_label": EDITIONS[edition],
        "start": start,
        "end": end,
        "generated_at": timezone.now(),
        "parties": parties,
        "summary": [
            {
                "party": p,
                "reported": reported[p.pk],
                "confirmed": confirmed[p.pk],
            }
            for p in parties
        ],
        "killed": casualties["killed"] or 0,
        "injured": casualties["injured"] or 0,
        "incident_count": incidents.count(),
        "chart": chart,
        "chart_heading": PERIODS[by][0],
        "map": incident_map(viewer, incidents),
        "findings": [
            {"f": f, "responses": by_incident.get(f.incident_id, []), "names": names}
            for f in findings
        ],
        "compliance": compliance,
        "compliance_tables": compliance_tables,
        "crossings": crossings_now(viewer),
        "request_counts": request_counts(),
        "open_requests": open_requests,
        "measures": list(
            shared(people, Measure)
            .filter(decided_at__lt=hi)
            .select_related("party", "finding")
            .order_by("decided_at")
        ),
        "checkpoint": checkpoint,
        "checkpoint_text": checkpoint_text(checkpoint) if checkpoint else "",
    }


def render_html(start: dt.date, end: dt.date, edition: str, csp_nonce: str = "") -> str:
    """The report as one HTML page; ``csp_nonce`` lets a browser apply its inline style."""
    from django.template.loader import render_to_string

    context = {**build(start, end, edition), "csp_nonce": csp_nonce}
    return render_to_string("publications/periodic.html", context)


def render_pdf(start: dt.date, end: dt.date, edition: str) -> bytes:
    """The HTML edition through WeasyPrint; fonts from the system (Debian's Noto fonts carry
    the Arabic script of Urdu, Pashto and Dari names)."""
    from weasyprint import HTML

    html = render_html(start, end, edition)
    return bytes(HTML(string=html).write_pdf())
