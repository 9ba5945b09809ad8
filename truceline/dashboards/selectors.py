"""The dashboard: is the ceasefire holding, is the mechanism keeping its clocks, are the
parties doing what they promised. Figures come from the weekly tally (public aggregates: counts
per week, party and category, unpublished allegations included as counts only), from the
published incidents, and — for the mechanism's own people — from the working queue."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Min, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from truceline.dashboards.maps import HIDDEN_STATES
from truceline.dashboards.models import WeekTally
from truceline.dashboards.svg import Series, weekly_chart
from truceline.dashboards.tally import week_of
from truceline.exchange.selectors import baseline
from truceline.findings.models import Determination
from truceline.followup.compliance import grid, periods
from truceline.followup.models import Measure, PartyRequest, RequestState
from truceline.geo.selectors import crossings_now
from truceline.incidents.models import Incident, Response, State
from truceline.policy import sees_mechanism, visible_to
from truceline.scenario.models import Category, Organisation, OrganisationKind, Scenario

WORKING = (State.RECEIVED, State.TRIAGED, State.UNDER_VERIFICATION, State.FINDING_DRAFTED)
CONFIRMED = Determination.CONFIRMED
TIMELINESS_WINDOW = dt.timedelta(days=90)  # each party's timeliness: the last three months


def _hours(delta: dt.timedelta) -> float:
    return round(delta.total_seconds() / 3600, 1)


def clocks(incident: Incident, targets: dict[str, int], now: dt.datetime) -> list[dict[str, Any]]:
    """Each protocol clock of an incident: elapsed (or taken) hours against its target."""
    out = []
    created = incident.created_at

    def clock(name: str, start: dt.datetime | None, end: dt.datetime | None, target: int) -> None:
        if start is None:
            return
        taken = _hours((end or now) - start)
        out.append(
            {
                "name": name,
                "hours": taken,
                "target": target,
                "running": end is None,
                "late": taken > target,
            }
        )

    # Acknowledgement: the receipt is issued in the submitting transaction.
    clock("acknowledge", created, created, targets.get("acknowledge", 0))
    clock("triage", created, incident.triaged_at, targets.get("triage", 0))
    if incident.opened_at:
        replied = incident.responses.filter(party_id=incident.accused_party_id).aggregate(
            first=Min("submitted_at")
        )["first"]
        clock("reply", incident.opened_at, replied, targets.get("reply", 0))
    clock("finding", created, incident.published_at, targets.get("finding", 0))
    return out


def weekly(weeks: list[dt.date], category: str | None) -> dict[str, Any]:
    """Reported (by accused party) and confirmed (by attributed party) incidents per week."""
    rows = WeekTally.objects.filter(week__gte=weeks[0], week__lte=weeks[-1], n__gt=0)
    if category:
        rows = rows.filter(category=category)
    rows = rows.exclude(state__in=HIDDEN_STATES)
    reported: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for week, party, n in (
        rows.values("week", "accused")
        .annotate(t=Sum("n"))
        .values_list("week", "accused", "t")
        .order_by()
    ):
        reported[party][week] = n
    confirmed: dict[str, dict[dt.date, int]] = defaultdict(dict)
    for week, party, n in (
        rows.filter(determination=CONFIRMED, public=True)
        .values("week", "attributed")
        .annotate(t=Sum("n"))
        .values_list("week", "attributed", "t")
        .order_by()
    ):
        confirmed[party][week] = n
    return {"reported": reported, "confirmed": confirmed}


# How a long period is drawn: per week up to a year, per month up to five years, then per
# quarter, so that a chart or table of the mechanism's tenth year still fits its page.
PERIODS = {
    "week": (_("Violations reported and confirmed per week"), "%d %b %y"),
    "month": (_("Violations reported and confirmed per month"), "%b %Y"),
    "quarter": (_("Violations reported and confirmed per quarter"), "%b %Y"),
}


def period_for(first: dt.date, last: dt.date) -> str:
    """The period a range of days is drawn by (see PERIODS)."""
    days = (last - first).days
    return "week" if days <= 371 else "month" if days <= 5 * 366 else "quarter"


def period_start(day: dt.date, by: str) -> dt.date:
    if by == "week":
        return day
    month = day.month if by == "month" else 3 * ((day.month - 1) // 3) + 1
    return dt.date(day.year, month, 1)


def weekly_figures(
    weeks: list[dt.date],
    parties: list[Organisation],
    category: str | None = None,
    category_name: str | None = None,
    by: str = "week",
) -> tuple[str, list[dict[str, Any]]]:
    """The weekly chart (SVG: bars reported against each party, lines confirmed by the party
    attributed) and the same figures as table rows; for the dashboard, the portal and the
    periodic report. ``by`` month or quarter adds the weeks up into the period each week
    begins in."""
    series = weekly(weeks, category)
    reported, confirmed = series["reported"], series["confirmed"]
    starts = [period_start(w, by) for w in weeks]
    buckets = sorted(set(starts))

    def summed(counts: dict[dt.date, int]) -> list[int]:
        total = dict.fromkeys(buckets, 0)
        for w, first in zip(weeks, starts, strict=True):
            total[first] += counts.get(w, 0)
        return [total[b] for b in buckets]

    per_reported = {p.slug: summed(reported[p.slug]) for p in parties}
    per_confirmed = {p.slug: summed(confirmed[p.slug]) for p in parties}
    # the chart's legend in the reader's language (the same words as the table's headings)
    chart_series = [
        Series(str(_("Reported against %(party)s") % {"party": p.shown_name}), per_reported[p.slug])
        for p in parties
    ] + [
        Series(
            str(_("Confirmed, %(party)s") % {"party": p.shown_name}),
            per_confirmed[p.slug],
            kind="line",
        )
        for p in parties
    ]
    table = [
        {
            "week": b,
            "reported": [per_reported[p.slug][i] for p in parties],
            "confirmed": [per_confirmed[p.slug][i] for p in parties],
        }
        for i, b in enumerate(buckets)
    ]
    title, label_format = PERIODS[by]
    chart = weekly_chart(
        buckets,
        chart_series,
        str(title) + (f", {category_name}" if category_name else ""),
        label_format=label_format,
    )
    return chart, table


def dashboard(
    viewer: Any, *, weeks: int = 26, category: str | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    now = now or timezone.now()
    today = now.date()
    scenario = Scenario.objects.get()
    parties = list(
        visible_to(viewer, Organisation).filter(kind=OrganisationKind.PARTY, retired=False)
    )
    names = {p.slug: p.name for p in parties}
    mediator = sees_mechanism(viewer)
    # Public figures first: what anyone may see.
    published = visible_to(AnonymousUser(), Incident)
    last = {}
    for p in parties:  # the newest by the (attributed party, determination, occurred) index
        found = (
            published.filter(attributed_party=p, determination=CONFIRMED)
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        if found is not None:
            last[p.slug] = found
    since_last = [
        {
            "party": p,
            "last": last.get(p.slug),
            "days": (today - last[p.slug].date()).days if p.slug in last else None,
        }
        for p in parties
    ]
    current = week_of(now)
    week_list = [current - dt.timedelta(days=7 * k) for k in range(weeks - 1, -1, -1)]
    category_names = dict(Category.objects.values_list("slug", "name"))
    chart, table = weekly_figures(week_list, parties, category, category_names.get(category or ""))
    # Casualties by category (lower bounds as reported): the public counts published incidents.
    cas = WeekTally.objects.exclude(state__in=HIDDEN_STATES)
    if not mediator:
        cas = cas.filter(public=True)
    by_category = [
        {
            "category": c,
            "name": category_names.get(c, c),
            "n": n or 0,
            "killed": k or 0,
            "injured": i or 0,
        }
        for c, n, k, i in cas.values("category")
        .annotate(n=Sum("n"), k=Sum("killed"), i=Sum("injured"))
        .values_list("category", "n", "k", "i")
        .order_by("category")
    ]
    # Each party's timeliness (a published statistic): replies on time and late; incidents
    # opened to it whose reply window ran out with no reply.
    on_time: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for party, late, n in (
        Response.objects.filter(submitted_at__gte=now - TIMELINESS_WINDOW)
        .values("party", "late")
        .annotate(n=Count("pk"))
        .values_list("party", "late", "n")
        .order_by()
    ):
        on_time[party][1 if late else 0] += n
    # Reply windows that ran out in the window, less those the party answered (from the
    # replies' side: far fewer than incidents).
    window = {"reply_due_at__gte": now - TIMELINESS_WINDOW, "reply_due_at__lt": now}
    unanswered = {}
    for p in parties:
        due = Incident.objects.filter(accused_party=p, **window).count()
        replied = (
            Response.objects.filter(party=p, **{f"incident__{k}": v for k, v in window.items()})
            .values("incident_id")
            .distinct()
            .count()
        )
        unanswered[p.slug] = due - replied
    timeliness = [
        {
            "party": p,
            "on_time": on_time[p.slug][0],
            "late": on_time[p.slug][1],
            "unanswered": unanswered.get(p.slug, 0),
        }
        for p in parties
    ]
    body: dict[str, Any] = {
        "now": now,
        "scenario": scenario,
        "days_since_ceasefire": (today - scenario.agreement_date).days,
        "since_last": since_last,
        "weeks": week_list,
        "chart": chart,
        "table": table,
        "parties": parties,
        "baseline": baseline(viewer, scenario.agreement_date, parties),
        "report_from": max(scenario.agreement_date, today - dt.timedelta(days=30)),
        "report_to": today,
        "party_names": names,
        "category": category,
        "by_category": by_category,
        "timeliness": timeliness,
        "crossings": crossings_now(viewer, now),
        "compliance": grid(viewer, periods(months=2)),
        "mediator": mediator,
    }
    if mediator:
        body |= _mechanism(viewer, scenario, now)
    return body


def _mechanism(viewer: Any, scenario: Scenario, now: dt.datetime) -> dict[str, Any]:
    """The mechanism's own work: the queue with its clocks, reply windows closing, overdue
    requests and measures."""
    counts = dict(
        WeekTally.objects.filter(state__in=WORKING)
        .values("state")
        .annotate(n=Sum("n"))
        .values_list("state", "n")
        .order_by()
    )
    oldest: list[Incident] = []
    for state in WORKING:  # one short index range per state, merged
        oldest += visible_to(viewer, Incident).filter(state=state).order_by("created_at")[:15]
    oldest = sorted(oldest, key=lambda i: i.created_at)[:15]
    queue = [
        {
            "incident": i,
            "age_hours": _hours(now - i.created_at),
            "clocks": clocks(i, scenario.clocks, now),
        }
        for i in oldest
    ]
    closing = list(
        visible_to(viewer, Incident)
        .filter(
            state=State.UNDER_VERIFICATION,
            reply_due_at__gte=now,
            reply_due_at__lt=now + dt.timedelta(hours=48),
        )
        .exclude(responses__isnull=False)
        .select_related("accused_party")
        .order_by("reply_due_at")[:20]
    )
    return {
        "queue_counts": [(State(s).label, counts.get(s, 0)) for s in WORKING],
        "queue": queue,
        "closing": closing,
        "overdue_requests": list(
            visible_to(viewer, PartyRequest)
            .filter(state=RequestState.OPEN, deadline__lt=now)
            .select_related("to_party")
            .order_by("deadline")[:20]
        ),
        "overdue_measures": list(
            visible_to(viewer, Measure)
            .filter(done_at__isnull=True, due__lt=now.date())
            .select_related("party")
            .order_by("due")[:20]
        ),
        "flagged": WeekTally.objects.filter(flagged=True, state__in=WORKING).aggregate(n=Sum("n"))[
            "n"
        ]
        or 0,
    }
