"""Workflow pages: file a report, the incident page with the steps the viewer may take.

Thin: parse a form, call the service, show its error at the field or at the top.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truceline.accounts.models import Role, User
from truceline.core.errors import ApiError, NotFound
from truceline.findings import services as findings
from truceline.findings.models import Finding, FindingStatus
from truceline.incidents import services
from truceline.incidents.forms import FindingForm, ReportForm
from truceline.incidents.models import Response
from truceline.incidents.selectors import incident_timeline
from truceline.policy import access_finding, access_incident, can, visible_to
from truceline.reports.api import report_out
from truceline.reports.models import Report
from truceline.reports.services import ReportInput, report_submit


def _incident_or_404(user: Any, incident_id: str) -> Any:
    try:
        return access_incident(user, incident_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        casualties = {
            kind: {"civilians": d[kind]} for kind in ("killed", "injured") if d[kind] is not None
        }
        data = ReportInput(
            category=d["category"].pk,
            accused_party=d["accused_party"].pk,
            occurred_at=d["occurred_at"],
            time_precision=d["time_precision"],
            lat=d["lat"],
            lon=d["lon"],
            location_precision=d["location_precision"],
            place=d["place"].pk if d["place"] else None,
            narrative=d["narrative"],
            casualties=casualties,  # type: ignore[arg-type]
            origin=d["origin"].pk if d["origin"] else None,
            confidentiality=d["confidentiality"],
            urgent=d["urgent"],
            sources=d["sources"].splitlines(),
            evidence=[],
        )
        try:
            report, receipt = report_submit(actor=request.user, data=data)  # type: ignore[arg-type]
        except ApiError as exc:
            _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _("Report %(id)s received; event-log entry #%(seq)s is your receipt.")
                % {"id": report.id, "seq": receipt["seq"]},
            )
            return redirect("incidents:detail", incident_id=report.incident_id)
    return render(
        request, "incidents/report_new.html", {"form": form}, status=422 if form.errors else 200
    )


def _errors_to_form(form: Any, exc: ApiError) -> None:
    if not exc.fields:
        form.add_error(None, exc.message)
    for path, msgs in exc.fields.items():
        field = path.split(".")[-1] if path.split(".")[-1] in form.fields else None
        for msg in msgs:
            form.add_error(field, msg if field else f"{path}: {msg}")


@require_http_methods(["GET"])
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    user = request.user
    incident = _incident_or_404(user, incident_id)
    reports = [report_out(r, user) for r in visible_to(user, Report).filter(incident=incident)]
    found = list(
        visible_to(user, Finding)
        .filter(incident=incident)
        .prefetch_related("votes", "acknowledgements")
    )
    for f in found:
        checked = [(v, findings.vote_verify(v)) for v in f.votes.select_related("key", "finding")]
        f.checked_votes = checked  # type: ignore[attr-defined]
        f.may_vote = f.status == FindingStatus.DRAFT and can(user, "vote", f)  # type: ignore[attr-defined]
        f.may_ack = f.status == FindingStatus.ENDORSED and can(user, "acknowledge", f)  # type: ignore[attr-defined]
        f.may_publish = f.status == FindingStatus.ENDORSED and can(user, "publish", f)  # type: ignore[attr-defined]
    context = {
        "incident": incident,
        "reports": reports,
        "responses": visible_to(user, Response).filter(incident=incident),
        "findings": found,
        "timeline": incident_timeline(incident, user),
        "may": {
            a: can(user, a, incident)
            for a in ("triage", "assign", "open", "respond", "draft-finding")
        },
        "monitors": User.objects.filter(role=Role.MONITOR, is_active=True),
        "finding_form": FindingForm(),
    }
    return render(request, "incidents/detail.html", context)


def _triage(request: HttpRequest, incident: Any) -> None:
    services.incident_triage(
        incident=incident,
        actor=request.user,  # type: ignore[arg-type]
        admissible=request.POST.get("admissible") == "yes",
        reason=request.POST.get("reason", ""),
    )


def _assign(request: HttpRequest, incident: Any) -> None:
    assignee = User.objects.filter(username=request.POST.get("assignee", "")).first()
    if assignee is None:
        raise ApiError("invalid", _("Choose a monitor."), fields={"assignee": ["required"]})
    services.incident_assign(incident=incident, actor=request.user, assignee=assignee)  # type: ignore[arg-type]


def _open(request: HttpRequest, incident: Any) -> None:
    services.incident_open(incident=incident, actor=request.user)  # type: ignore[arg-type]


def _respond(request: HttpRequest, incident: Any) -> None:
    services.response_submit(
        incident=incident,
        actor=request.user,  # type: ignore[arg-type]
        text=request.POST.get("text", ""),
        counter_claims=request.POST.get("counter_claims", ""),
        evidence=[],
    )


def _draft(request: HttpRequest, incident: Any) -> None:
    form = FindingForm(request.POST)
    if not form.is_valid():
        raise ApiError(
            "invalid",
            _("Check the finding's fields."),
            fields={k: [str(m) for m in v] for k, v in form.errors.items()},
        )
    d = form.cleaned_data
    findings.finding_draft(
        incident=incident,
        actor=request.user,  # type: ignore[arg-type]
        data=findings.FindingInput(
            determination=d["determination"],
            confidence=d["confidence"],
            grade=d["grade"],
            actor=d["actor"],
            territory=d["territory"].pk if d["territory"] else None,
            intent=d["intent"],
            clauses=[c.pk for c in d["clauses"]],
            summary=d["summary"],
            evidence=[],
        ),
    )


def _error_message(request: HttpRequest, exc: ApiError) -> None:
    """A service's refusal as a message at the top of the page, with its field messages."""
    detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
    messages.error(request, f"{exc.message} {detail}".strip())


ACTIONS: dict[str, Callable[[HttpRequest, Any], None]] = {
    "triage": _triage,
    "assign": _assign,
    "open": _open,
    "respond": _respond,
    "finding": _draft,
}


@login_required
@require_POST
def incident_action(request: HttpRequest, incident_id: str, action: str) -> HttpResponse:
    incident = _incident_or_404(request.user, incident_id)
    handler = ACTIONS.get(action)
    if handler is None:
        raise Http404
    try:
        handler(request, incident)
    except ApiError as exc:
        _error_message(request, exc)
        return redirect("incidents:detail", incident_id=incident.id)
    messages.success(request, _("Done."))
    return redirect("incidents:detail", incident_id=incident.id)


FINDING_ACTIONS = {"vote", "acknowledge", "publish"}


@login_required
@require_POST
def finding_action(request: HttpRequest, finding_id: str, action: str) -> HttpResponse:
    try:
        finding = access_finding(request.user, finding_id)
    except NotFound as exc:
        raise Http404 from exc
    if action not in FINDING_ACTIONS:
        raise Http404
    actor: Any = request.user
    try:
        if action == "vote":
            findings.finding_vote(
                finding=finding,
                actor=actor,
                vote=request.POST.get("vote", ""),
                reasons=request.POST.get("reasons", ""),  # type: ignore[arg-type]
            )
        elif action == "acknowledge":
            findings.finding_acknowledge(finding=finding, actor=actor)  # type: ignore[arg-type]
        else:
            findings.finding_publish(finding=finding, actor=actor)  # type: ignore[arg-type]
    except ApiError as exc:
        _error_message(request, exc)
    else:
        messages.success(request, _("Done."))
    return redirect("incidents:detail", incident_id=finding.incident_id)
