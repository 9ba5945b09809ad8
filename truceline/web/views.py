"""Pages. Thin: read through the policy, render a template."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from truceline.findings.models import Decision, Finding, FindingStatus, Reconsideration
from truceline.followup.models import Measure, PartyRequest, RequestState
from truceline.incidents.models import WORKING_STATES, Incident, Question, State
from truceline.policy import desk_of, visible_to
from truceline.redaction.selectors import sealed_text
from truceline.reports.models import DraftState, ReportDraft

HOME_TEMPLATES = {
    "public": "web/home_public.html",
    "liaison": "web/home_liaison.html",
    "monitor": "web/home_monitor.html",
    "signatory": "web/home_signatory.html",
    "admin": "web/home_admin.html",
}


def _queues(user: Any, desk: str, query: Any = None) -> dict[str, Any]:
    """What each role has to do, read through the policy; urgent first, oldest first."""
    incidents = visible_to(user, Incident).select_related("category", "accused_party")
    findings = visible_to(user, Finding).select_related("incident")
    if desk == "liaison":
        return _liaison_home(user, incidents, findings, query or {})
    if desk == "monitor":
        return {
            "triage": incidents.filter(state=State.RECEIVED)[:50],
            "verification": incidents.filter(
                state__in=[State.TRIAGED, State.UNDER_VERIFICATION, State.FINDING_DRAFTED]
            )[:50],
            "to_publish": findings.filter(status=FindingStatus.ENDORSED)[:50],
            "reconsiderations": visible_to(user, Reconsideration)
            .filter(decision=Decision.PENDING)
            .select_related("party")[:50],
            "answers": visible_to(user, Question)
            .filter(answered_at__isnull=False, incident__state__in=WORKING_STATES)
            .order_by("-answered_at")[:20],
            "drafts": visible_to(user, ReportDraft).filter(state=DraftState.OPEN)[:20],
            "overdue_requests": visible_to(user, PartyRequest)
            .filter(state=RequestState.OPEN, deadline__lt=timezone.now())
            .select_related("to_party")
            .order_by("deadline")[:50],
            "overdue_measures": visible_to(user, Measure)
            .filter(done_at__isnull=True, due__lt=timezone.now().date())
            .select_related("party")
            .order_by("due")[:50],
        }
    if desk == "signatory":
        return {
            "to_vote": findings.filter(status=FindingStatus.DRAFT).exclude(
                votes__organisation_id=getattr(user, "organisation_id", None)
            )[:50]
        }
    chosen = findings.filter(status=FindingStatus.PUBLISHED)
    filters = _portal_filters(query or {})
    if filters["party"]:
        chosen = chosen.filter(attributed_party_id=filters["party"])
    if filters["category"]:
        chosen = chosen.filter(incident__category_id=filters["category"])
    if filters["determination"]:
        chosen = chosen.filter(determination=filters["determination"])
    if filters["from"]:
        chosen = chosen.filter(published_at__date__gte=filters["from"])
    if filters["to"]:
        chosen = chosen.filter(published_at__date__lte=filters["to"])
    published = list(
        chosen.order_by("-published_at")
        .select_related("incident", "attributed_party")
        .prefetch_related("votes__organisation")[:50]
    )
    for finding in published:
        # Dissents on earlier revisions are published with the finding that replaced them.
        history, earlier = [], finding.supersedes
        while earlier is not None:
            history.append(earlier)
            earlier = earlier.supersedes
        finding.history = history  # type: ignore[attr-defined]
    # Published, then reopened on a reconsideration: still shown, marked, until replaced.
    reopened = findings.filter(published_at__isnull=False, status=FindingStatus.SUPERSEDED).exclude(
        superseded_by__status=FindingStatus.PUBLISHED
    )
    return {
        "published": published,
        "reopened": reopened[:50],
        "filters": filters,
        **_portal(),
    }


LIAISON_PAGE = 10
# a liaison's filings: still with the mechanism, or decided (nothing more will happen)
DECIDED_STATES = [State.PUBLISHED, State.INADMISSIBLE, State.MERGED, State.WITHDRAWN]


def _paged(rows: Any, count: int, query: Any, key: str) -> tuple[Any, int, int]:
    """One page of ``rows`` (the page number in ``?key=``; past the last, the last)."""
    pages = max(1, -(-count // LIAISON_PAGE))
    try:
        page = min(max(1, int(query.get(key, "1"))), pages)
    except ValueError:
        page = 1
    first = (page - 1) * LIAISON_PAGE
    return rows[first : first + LIAISON_PAGE], page, pages


def _liaison_home(user: Any, incidents: Any, findings: Any, query: Any) -> dict[str, Any]:
    """A liaison's home, led by what needs its action now; then what waits on others (its
    filings with the mechanism, its requests to the other party); then what is done, paged.
    Each list with its count, so that a phone shows the work before the rows."""
    org = getattr(user, "organisation_id", None)
    filed = incidents.filter(reports__filing_org_id=org).distinct().order_by("-created_at")
    awaiting_reply = (
        incidents.filter(
            accused_party_id=org, state__in=[State.UNDER_VERIFICATION, State.FINDING_DRAFTED]
        )
        .exclude(responses__party_id=org)
        .order_by("reply_due_at")
    )
    to_acknowledge = findings.filter(status=FindingStatus.ENDORSED).exclude(
        acknowledgements__party_id=org
    )
    questions = visible_to(user, Question).filter(answered_at__isnull=True)
    requests_to_answer = (
        visible_to(user, PartyRequest)
        .filter(to_party_id=org, state=RequestState.OPEN)
        .order_by("deadline")
    )
    drafts = visible_to(user, ReportDraft).filter(state=DraftState.OPEN)
    with_mechanism = filed.exclude(state__in=DECIDED_STATES)
    requests_sent = (
        visible_to(user, PartyRequest)
        .filter(from_party_id=org, state=RequestState.OPEN)
        .select_related("to_party")
        .order_by("deadline")
    )
    done = filed.filter(state__in=DECIDED_STATES)
    counts = {
        "requests_to_answer": requests_to_answer.count(),
        "questions": questions.count(),
        "awaiting_reply": awaiting_reply.count(),
        "to_acknowledge": to_acknowledge.count(),
        "drafts": drafts.count(),
        "with_mechanism": with_mechanism.count(),
        "requests_sent": requests_sent.count(),
        "done": done.count(),
    }
    waiting_rows, waiting_page, waiting_pages = _paged(
        with_mechanism, counts["with_mechanism"], query, "waiting"
    )
    done_rows, done_page, done_pages = _paged(done, counts["done"], query, "done")
    return {
        "requests_to_answer": requests_to_answer[:50],
        "questions": [(q, sealed_text(user, q, "text", q.text)) for q in questions[:50]],
        "awaiting_reply": awaiting_reply[:50],
        "to_acknowledge": to_acknowledge[:50],
        "drafts": drafts[:20],
        "with_mechanism": waiting_rows,
        "waiting_page": waiting_page,
        "waiting_pages": waiting_pages,
        "requests_sent": requests_sent[:50],
        "done": done_rows,
        "done_page": done_page,
        "done_pages": done_pages,
        "counts": counts,
        "action_count": sum(
            counts[k]
            for k in (
                "requests_to_answer",
                "questions",
                "awaiting_reply",
                "to_acknowledge",
                "drafts",
            )
        ),
        "waiting_count": counts["with_mechanism"] + counts["requests_sent"],
    }


PORTAL_WEEKS = 12


def _portal_filters(query: Any) -> dict[str, Any]:
    """The portal's filters; a value that is not a date is ignored (and shown empty)."""

    def day(name: str) -> dt.date | None:
        try:
            return dt.date.fromisoformat(query.get(name, ""))
        except ValueError:
            return None

    return {
        "party": query.get("party", "")[:60],
        "category": query.get("category", "")[:60],
        "determination": query.get("determination", "")[:30],
        "from": day("from"),
        "to": day("to"),
    }


def _portal() -> dict[str, Any]:
    """What the public portal shows beside the findings: the weekly chart, crossings, the
    downloads and the ledger's checkpoint."""
    from django.contrib.auth.models import AnonymousUser

    from truceline.dashboards.selectors import weekly_figures
    from truceline.dashboards.tally import week_of
    from truceline.findings.models import Determination
    from truceline.geo.selectors import crossings_now
    from truceline.ledger.selectors import checkpoint_text, latest_checkpoint
    from truceline.scenario.models import Category, Organisation, OrganisationKind, Scenario

    scenario = Scenario.objects.first()
    if scenario is None:
        return {}
    now = timezone.now()
    today = now.date()
    parties = list(Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False))
    current = week_of(now)
    weeks = [current - dt.timedelta(days=7 * k) for k in range(PORTAL_WEEKS - 1, -1, -1)]
    chart, _table = weekly_figures(weeks, parties)
    checkpoint = latest_checkpoint()
    return {
        "chart": chart,
        "crossings": crossings_now(AnonymousUser(), now),
        "parties": parties,
        "categories": Category.objects.filter(retired=False),
        "determinations": Determination.choices,
        "report_from": max(scenario.agreement_date, today - dt.timedelta(days=30)),
        "report_to": today,
        "checkpoint": checkpoint,
        "checkpoint_text": checkpoint_text(checkpoint) if checkpoint else "",
    }


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: its queues, or the public portal of published findings."""
    desk = desk_of(request.user)
    template = HOME_TEMPLATES.get(desk, HOME_TEMPLATES["public"])
    return render(request, template, _queues(request.user, desk, request.GET))


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the test harness: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
