"""Reads about incidents that are more than a filter: the timeline as a viewer may see it."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, QuerySet

from truceline.findings.models import Finding
from truceline.incidents.models import Incident
from truceline.ledger.models import Event
from truceline.policy import sees_mechanism, visible_to
from truceline.policy.core import organisation_of
from truceline.reports.models import Report

# What a party sees of the timeline: the steps, not the mechanism's internal work.
PARTY_KINDS = {
    "report.submitted",
    "report.amended",
    "report.withdrawn",
    "incident.triaged",
    "incident.opened",
    "incident.merged",
    "incident.withdrawn",
    "incident.response-submitted",
    "finding.endorsed",
    "finding.acknowledged",
    "finding.published",
    "finding.superseded",
    "incident.reconsidered",
}
# Steps between the mechanism and one party: only that party (named in the payload) sees them.
PRIVATE_KINDS = {
    "incident.question-asked",
    "incident.question-answered",
    "incident.reconsideration-requested",
    "incident.reconsideration-refused",
}
# What the timeline says of a private step; the texts are on the question or request itself.
DETAIL_KEYS = ("party", "question", "reconsideration", "subject")


def filtered(qs: QuerySet[Incident], filters: Any) -> QuerySet[Incident]:
    """The incident list's filters (``state``, ``category``, ``party`` accused, ``sector``
    derived from where it happened, ``from_`` and ``to`` on the day it occurred), from any
    object carrying them: the API's query and the exports'."""
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.category:
        qs = qs.filter(category_id=filters.category)
    if filters.party:
        qs = qs.filter(accused_party_id=filters.party)
    if filters.sector:
        qs = qs.filter(sector_id=filters.sector)
    if filters.from_:
        qs = qs.filter(occurred_at__date__gte=filters.from_)
    if filters.to:
        qs = qs.filter(occurred_at__date__lte=filters.to)
    return qs


def incident_timeline(incident: Incident, viewer: Any) -> list[dict[str, Any]]:
    """Everything that happened to the incident, its reports and findings, oldest first —
    for a party only the events about objects it may see, without the mechanism's staff."""
    reports = visible_to(viewer, Report).filter(incident=incident).values_list("id", flat=True)
    findings = visible_to(viewer, Finding).filter(incident=incident).values_list("id", flat=True)
    events = Event.objects.filter(
        Q(object_type="incident", object_id=incident.id)
        | Q(object_type="report", object_id__in=list(reports))
        | Q(object_type="finding", object_id__in=list(findings))
    ).order_by("seq")
    mediator = sees_mechanism(viewer)
    org = organisation_of(viewer)
    out = []
    for event in events:
        payload = json.loads(event.payload) if event.kind in PRIVATE_KINDS else None
        if not mediator:
            if payload is not None:
                if payload.get("party") != org:
                    continue
            elif event.kind not in PARTY_KINDS:
                continue
        item: dict[str, Any] = {"seq": event.seq, "at": event.recorded_at, "kind": event.kind}
        if payload is not None:
            item["detail"] = {k: payload[k] for k in DETAIL_KEYS if k in payload}
        if mediator:
            item["actor"] = event.actor_label
        out.append(item)
    return out


def own_receipts(incident: Incident, viewer: Any) -> list[Event]:
    """The ledger entries this person made about this incident, its reports and findings:
    each has a receipt they can download."""
    if not getattr(viewer, "is_authenticated", False):
        return []
    reports = Report.objects.filter(incident=incident).values_list("id", flat=True)
    findings = Finding.objects.filter(incident=incident).values_list("id", flat=True)
    about = (
        Q(object_type="incident", object_id=incident.id)
        | Q(object_type="report", object_id__in=list(reports))
        | Q(object_type="finding", object_id__in=list(findings))
    )
    return list(visible_to(viewer, Event).filter(about, actor_id=viewer.pk).order_by("seq"))
