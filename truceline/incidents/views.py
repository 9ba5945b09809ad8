"""Workflow pages: file a report, the incident page with the steps the viewer may take.

Thin: parse a form, call the service, show its error at the field or at the top.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truceline.accounts.models import User
from truceline.core.errors import ApiError, Invalid, NotFound
from truceline.evidence.selectors import evidence_for_incident
from truceline.evidence.uploads import REFUSED as UPLOAD_REFUSED
from truceline.evidence.uploads import evidence_from_form
from truceline.findings import services as findings
from truceline.findings.models import Finding, FindingStatus, Reconsideration
from truceline.followup.models import MeasureKind
from truceline.followup.selectors import measures_for
from truceline.geo.selectors import location_out
from truceline.incidents import services
from truceline.incidents.api import question_out, response_out
from truceline.incidents.forms import FindingForm, ReportForm
from truceline.incidents.models import Question, Response
from truceline.incidents.selectors import incident_timeline, own_receipts
from truceline.policy import (
    access_draft,
    access_finding,
    access_incident,
    assignable_monitors,
    can,
    visible_to,
)
from truceline.redaction.models import SEALABLE
from truceline.redaction.services import seal_create
from truceline.reports.api import report_out
from truceline.reports.models import Report, ReportDraft
from truceline.reports.services import ReportInput, draft_save, report_submit
from truceline.scenario.models import Organisation, OrganisationKind


def _incident_or_404(user: Any, incident_id: str) -> Any:
    try:
        return access_incident(user, incident_id)
    except NotFound as exc:
        raise Http404 from exc


def _draft_of(request: HttpRequest, draft_id: str) -> ReportDraft | None:
    if not draft_id:
        return None
    try:
        return access_draft(request.user, draft_id)  # type: ignore[no-any-return]
    except NotFound as exc:
        raise Http404 from exc


def _save_draft(request: HttpRequest) -> ReportDraft:
    """What the form holds now, saved as it is (checked only when submitted)."""
    data = {name: request.POST.get(name, "") for name in ReportForm.base_fields}
    revision = request.POST.get("revision", "")
    return draft_save(
        actor=request.user,  # type: ignore[arg-type]
        data=data,
        draft=_draft_of(request, request.POST.get("draft", "")),
        revision=int(revision) if revision.isdigit() else None,
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """File a report. "Save draft" (and the page's autosave) keep it on the server."""
    draft = _draft_of(request, request.GET.get("draft", "") or request.POST.get("draft", ""))
    if request.method == "POST" and "save_draft" in request.POST:
        try:
            draft = _save_draft(request)
        except ApiError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Draft saved on the server."))
        url = reverse("incidents:report_new")
        return redirect(f"{url}?draft={draft.id}" if draft else url)
    initial = draft.data if draft is not None and request.method == "GET" else None
    files_error = ""
    form = ReportForm(request.POST or None, initial=initial)
    refused = request.META.get(UPLOAD_REFUSED)  # the upload stopped: the form is incomplete
    if refused:  # say so at the file field; keep what arrived of the rest, unjudged
        files_error = refused
        form = ReportForm(initial=request.POST.dict())
    elif request.method == "POST" and form.is_valid():
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
            with transaction.atomic():  # the files and the report are received together
                sharing = request.POST.get("sharing", "mechanism")  # unless the filer chooses
                cited = [item.id for item in evidence_from_form(request, sharing)]
                data = dataclasses.replace(data, evidence=cited)
                report, event = report_submit(actor=request.user, data=data, draft=draft)  # type: ignore[arg-type]
        except ApiError as exc:
            about_files = [m for k, v in exc.fields.items() if k.startswith("files") for m in v]
            if exc.code == "payload-too-large" or about_files:
                files_error = " ".join(about_files) or exc.message
            else:
                _errors_to_form(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Report %(id)s received as ledger entry #%(seq)s. Your receipt is under "
                    "“Your receipts” below."
                )
                % {"id": report.id, "seq": event.seq},
            )
            return redirect("incidents:detail", incident_id=report.incident_id)
    context = {
        "form": form,
        "draft": draft,
        "files_error": files_error,
        "posted_sharing": request.POST.get("sharing", ""),
        "max_file_mb": settings.TRUCELINE_EVIDENCE_MAX_FILE // (1 << 20),
    }
    failed = form.errors or files_error
    status = 413 if refused else 422 if failed else 200
    return render(request, "incidents/report_new.html", context, status=status)


@login_required
@require_POST
def draft_autosave(request: HttpRequest) -> JsonResponse:
    """The report form's background save: JSON, in the API's error shape when refused."""
    try:
        draft = _save_draft(request)
    except ApiError as exc:
        return JsonResponse(exc.body(), status=exc.status)
    saved = timezone.localtime(draft.updated_at).strftime("%H:%M:%S")
    return JsonResponse(
        {
            "id": draft.id,
            "revision": draft.revision,
            "message": _("Draft saved on the server at %(time)s.") % {"time": saved},
        }
    )


def _errors_to_form(form: Any, exc: ApiError) -> None:
    if not exc.fields:
        form.add_error(None, exc.message)
    for path, msgs in exc.fields.items():
        field = path.split(".")[-1] if path.split(".")[-1] in form.fields else None
        for msg in msgs:
            form.add_error(field, msg if field else f"{path}: {msg}")


def err_of(failed: str | None, exc: ApiError | None) -> dict[str, dict[str, str]]:
    """A refusal as ``{action: {field: message, "all": message}}`` for the templates."""
    if not failed or exc is None:
        return {}
    fields = {k.split(".")[-1].split("[")[0]: "; ".join(v) for k, v in exc.fields.items()}
    return {failed: {**fields, "all": exc.message}}


def _detail(
    request: HttpRequest,
    incident: Any,
    *,
    failed: str | None = None,
    exc: ApiError | None = None,
    finding_form: FindingForm | None = None,
) -> HttpResponse:
    """The incident page. After a refused step it is shown again with the refusal at the
    fields of the form that failed (``err.<action>.<field>``) and what was typed kept."""
    user = request.user
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
        # publishing is offered only once the embargo is over (its hours run out, or every
        # party concerned acknowledged); until then the page says until when, and who has
        f.embargo_over = f.status == FindingStatus.ENDORSED and findings.embargo_over(f)  # type: ignore[attr-defined]
        f.acknowledged_by = [a.party for a in f.acknowledgements.select_related("party")]  # type: ignore[attr-defined]
        f.may_publish = f.embargo_over and can(user, "publish", f)  # type: ignore[attr-defined]
    err = err_of(failed, exc)
    for f in found:
        f.measures_shown = measures_for(f, user)  # type: ignore[attr-defined]
        f.may_measure = can(user, "decide-measure", f)  # type: ignore[attr-defined]
        f.err = next((v for k, v in err.items() if k.endswith(f.id)), {})  # type: ignore[attr-defined]
    questions = visible_to(user, Question).filter(incident=incident).select_related("party")
    context = {
        "incident": incident,
        "where": location_out(incident, request.user),
        "reports": reports,
        "responses": [
            response_out(r, user)
            for r in visible_to(user, Response).filter(incident=incident).select_related("party")
        ],
        "questions": [
            (q, question_out(q, user), can(user, "answer", q) and q.answered_at is None)
            for q in questions
        ],
        "reconsiderations": visible_to(user, Reconsideration).filter(incident=incident),
        "findings": found,
        "timeline": incident_timeline(incident, user),
        "receipts": own_receipts(incident, user),
        "measure_parties": Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False),
        "measure_kinds": MeasureKind.choices,
        "evidence": evidence_for_incident(incident, user),
        "may": {
            a: can(user, a, incident)
            for a in ("triage", "assign", "open", "respond", "draft-finding", "ask", "reconsider")
        },
        "askable": sorted(services.parties_askable(incident)),
        "sealable": SEALABLE,
        "monitors": assignable_monitors(),
        "finding_form": finding_form or FindingForm(),
        "err": err,
        "posted": request.POST if failed else {},
    }
    return render(request, "incidents/detail.html", context, status=exc.status if exc else 200)


@require_http_methods(["GET"])
def incident_detail(request: HttpRequest, incident_id: str) -> HttpResponse:
    return _detail(request, _incident_or_404(request.user, incident_id))


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
        raise Invalid({"assignee": [_("choose a monitor")]})
    services.incident_assign(incident=incident, actor=request.user, assignee=assignee)  # type: ignore[arg-type]


def _open(request: HttpRequest, incident: Any) -> None:
    services.incident_open(incident=incident, actor=request.user)  # type: ignore[arg-type]


def _respond(request: HttpRequest, incident: Any) -> None:
    with transaction.atomic():  # the files and the answer are received together
        sharing = request.POST.get("sharing", "mechanism")  # unless the party chooses
        cited = [item.id for item in evidence_from_form(request, sharing)]
        services.response_submit(
            incident=incident,
            actor=request.user,  # type: ignore[arg-type]
            text=request.POST.get("text", ""),
            counter_claims=request.POST.get("counter_claims", ""),
            evidence=cited,
        )


def _ask(request: HttpRequest, incident: Any) -> None:
    services.question_ask(
        incident=incident,
        actor=request.user,  # type: ignore[arg-type]
        party=request.POST.get("party", ""),
        text=request.POST.get("text", ""),
    )


def _answer(request: HttpRequest, incident: Any) -> None:
    question = (
        visible_to(request.user, Question)
        .filter(pk=request.POST.get("question", ""), incident=incident)
        .first()
    )
    if question is None:
        raise NotFound()
    services.question_answer(
        question=question,
        actor=request.user,  # type: ignore[arg-type]
        text=request.POST.get("answer", ""),
    )


def _reconsider(request: HttpRequest, incident: Any) -> None:
    findings.reconsideration_request(
        incident=incident,
        actor=request.user,  # type: ignore[arg-type]
        reasons=request.POST.get("reasons", ""),
    )


def _decide(request: HttpRequest, incident: Any) -> None:
    made = (
        visible_to(request.user, Reconsideration)
        .filter(pk=request.POST.get("reconsideration", ""), incident=incident)
        .first()
    )
    if made is None:
        raise NotFound()
    findings.reconsideration_decide(
        request=made,
        actor=request.user,  # type: ignore[arg-type]
        accept=request.POST.get("accept") == "yes",
        reasons=request.POST.get("reasons", ""),
    )


def _seal(request: HttpRequest, incident: Any) -> None:
    kind = request.POST.get("object_type", "")
    model = {"report": Report, "response": Response, "question": Question}.get(kind)
    if model is None:
        raise Invalid({"object_type": [_("choose what to seal")]})
    target = (
        visible_to(request.user, model)
        .filter(pk=request.POST.get("object_id", ""), incident=incident)
        .first()
    )
    if target is None:
        raise NotFound()
    seal_create(
        actor=request.user,  # type: ignore[arg-type]
        target=target,
        field=request.POST.get("field", ""),
        passage=request.POST.get("passage", ""),
        reason=request.POST.get("reason", ""),
    )


def _finding_form(request: HttpRequest) -> findings.FindingInput:
    form = FindingForm(request.POST)
    if not form.is_valid():
        raise Invalid({k: [str(m) for m in v] for k, v in form.errors.items()})
    d = form.cleaned_data
    return findings.FindingInput(
        determination=d["determination"],
        confidence=d["confidence"],
        grade=d["grade"],
        actor=d["actor"],
        territory=d["territory"].pk if d["territory"] else None,
        intent=d["intent"],
        clauses=[c.pk for c in d["clauses"]],
        summary=d["summary"],
        evidence=[],
    )


def _draft(request: HttpRequest, incident: Any) -> None:
    findings.finding_draft(
        incident=incident,
        actor=request.user,  # type: ignore[arg-type]
        data=_finding_form(request),
    )


ACTIONS: dict[str, Callable[[HttpRequest, Any], None]] = {
    "triage": _triage,
    "assign": _assign,
    "open": _open,
    "respond": _respond,
    "finding": _draft,
    "ask": _ask,
    "answer": _answer,
    "reconsider": _reconsider,
    "decide": _decide,
    "seal": _seal,
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
    except NotFound as exc:
        raise Http404 from exc
    except ApiError as exc:
        incident.refresh_from_db()
        form = FindingForm(request.POST) if action == "finding" else None
        return _detail(request, incident, failed=action, exc=exc, finding_form=form)
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
        if action == "vote":  # a signature: the service asks for the fresh code
            findings.finding_vote(
                finding=finding,
                actor=actor,
                vote=request.POST.get("vote", ""),
                reasons=request.POST.get("reasons", ""),  # type: ignore[arg-type]
                code=request.POST.get("code", ""),  # type: ignore[arg-type]
            )
        elif action == "acknowledge":
            findings.finding_acknowledge(finding=finding, actor=actor)  # type: ignore[arg-type]
        else:
            findings.finding_publish(finding=finding, actor=actor)  # type: ignore[arg-type]
    except ApiError as exc:
        return _detail(request, finding.incident, failed=f"{action}-{finding.id}", exc=exc)
    messages.success(request, _("Done."))
    return redirect("incidents:detail", incident_id=finding.incident_id)
