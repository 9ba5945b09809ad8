"""The agreement page (public) and the requests pages (the parties concerned, mediators)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truceline.core.errors import ApiError, NotFound, field_messages
from truceline.followup import selectors, services
from truceline.followup.models import (
    Answer,
    Assessment,
    Compliance,
    PartyRequest,
    RequestKind,
)
from truceline.policy import access_finding, access_measure, access_request, can, visible_to
from truceline.scenario.models import Commitment, Organisation, OrganisationKind, Place


def agreement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "followup/agreement.html",
        {
            "rounds": selectors.rounds(),
            "commitments": selectors.commitments(),
            "request_counts": selectors.request_counts(),
        },
    )


def _request(request: HttpRequest, request_id: str) -> PartyRequest:
    try:
        return access_request(request.user, request_id)
    except NotFound as exc:
        raise Http404 from exc


@login_required
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    error: ApiError | None = None
    if request.method == "POST":
        names = [n.strip() for n in request.POST.get("subjects", "").splitlines() if n.strip()]
        deadline = parse_datetime(request.POST.get("deadline", ""))
        if deadline is not None and timezone.is_naive(deadline):
            deadline = deadline.replace(tzinfo=dt.UTC)
        try:
            if deadline is None:
                raise ApiError(
                    "invalid", _("Give the deadline."), fields={"deadline": [_("a date and time")]}
                )
            made = services.request_make(
                actor=request.user,  # type: ignore[arg-type]
                data=services.RequestInput(
                    to_party=request.POST.get("to_party", ""),
                    kind=request.POST.get("kind", ""),
                    grounds=request.POST.get("grounds", ""),
                    deadline=deadline,
                    subjects=[services.SubjectInput(n) for n in names],
                    commitment=request.POST.get("commitment") or None,
                    place=request.POST.get("place") or None,
                ),
            )
        except ApiError as exc:
            error = exc
        else:
            messages.success(
                request, _("Request %(id)s sent to the other party.") % {"id": made.id}
            )
            return redirect("followup:request", request_id=made.id)
    context = {
        "error": error,
        "fields": field_messages(error),
        "posted": request.POST,
        "kinds": RequestKind.choices,
        "parties": Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False),
        "commitments": Commitment.objects.filter(retired=False),
        "places": Place.objects.order_by("name"),
    }
    return render(request, "followup/request_new.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def request_detail(request: HttpRequest, request_id: str) -> HttpResponse:
    found = _request(request, request_id)
    error: ApiError | None = None
    if request.method == "POST":
        try:
            if request.POST.get("step") == "answer":
                services.request_answer(
                    actor=request.user,  # type: ignore[arg-type]
                    request=found,
                    answer=request.POST.get("answer", ""),
                    reasons=request.POST.get("reasons", ""),
                )
            elif request.POST.get("step") == "verify" and can(request.user, "verify", found):
                on = dt.date.fromisoformat(request.POST.get("on", "") or "0000")
                services.request_verify(
                    actor=request.user,  # type: ignore[arg-type]
                    request=found,
                    happened=request.POST.get("happened") == "yes",
                    on=on,
                    place=request.POST.get("place") or None,
                    subjects=[int(s) for s in request.POST.getlist("subjects") if s.isdigit()],
                    notes=request.POST.get("notes", ""),
                )
            else:
                raise ApiError("forbidden", _("You may not do that."))
        except ValueError:
            error = ApiError(
                "invalid", _("Give the date as YYYY-MM-DD."), fields={"on": ["a date"]}
            )
        except ApiError as exc:
            error = exc
        else:
            messages.success(request, _("Recorded; the step is on the ledger."))
            return redirect("followup:request", request_id=found.id)
        found.refresh_from_db()
    names = services.subjects_read(actor=request.user, request=found)  # type: ignore[arg-type]
    context = {
        "req": found,
        "names": names,
        "error": error,
        "fields": field_messages(error),
        "posted": request.POST,
        "may_answer": can(request.user, "answer", found),
        "may_verify": can(request.user, "verify", found) and not hasattr(found, "verification"),
        "answers": Answer.choices,
        "places": Place.objects.order_by("name"),
        "today": timezone.now().date(),
    }
    return render(
        request, "followup/request_detail.html", context, status=error.status if error else 200
    )


@login_required
def request_list(request: HttpRequest) -> HttpResponse:
    found = visible_to(request.user, PartyRequest).select_related("from_party", "to_party")
    return render(request, "followup/request_list.html", {"requests": found[:200]})


def compliance(request: HttpRequest) -> HttpResponse:
    from truceline.followup.compliance import grid

    data = grid()
    visible = set(visible_to(request.user, Assessment).values_list("pk", flat=True))
    for row in data["rows"]:
        for cell in row["cells"]:
            if cell["assessment"] is not None and cell["assessment"].pk not in visible:
                cell["assessment"], cell["status"] = None, "not-assessed"
    return render(request, "followup/compliance.html", data)


@require_http_methods(["GET", "POST"])
def compliance_cell(request: HttpRequest, commitment: str, party: str, period: str) -> HttpResponse:
    from truceline.followup import compliance as comp

    clause = Commitment.objects.filter(pk=commitment, retired=False).first()
    if clause is None or not clause.parties.filter(pk=party).exists():
        raise Http404
    try:
        comp.month_bounds(period)
    except ApiError as exc:
        raise Http404 from exc
    error: ApiError | None = None
    current = (
        visible_to(request.user, Assessment)
        .filter(commitment=clause, party_id=party, period=period)
        .first()
    )
    if request.method == "POST":
        try:
            if request.POST.get("step") == "confirm" and current is not None:
                comp.assessment_confirm(actor=request.user, assessment=current)  # type: ignore[arg-type]
            elif request.POST.get("step") == "propose" and request.user.is_authenticated:
                comp.assessment_propose(
                    actor=request.user,  # type: ignore[arg-type]
                    commitment=clause.pk,
                    party=party,
                    period=period,
                    status=request.POST.get("status", ""),
                    reasons=request.POST.get("reasons", ""),
                )
            else:
                raise ApiError("forbidden", _("You may not do that."))
        except ApiError as exc:
            error = exc
        else:
            messages.success(request, _("Recorded; the step is on the ledger."))
            return redirect(
                "followup:compliance_cell", commitment=commitment, party=party, period=period
            )
    indicators = comp.indicators(clause, party, period)
    may_see_requests = request.user.is_authenticated and getattr(request.user, "role", "") != ""
    context = {
        "clause": clause,
        "party": Organisation.objects.get(pk=party),
        "period": period,
        "indicators": indicators,
        "assessment": current,
        "may_propose": getattr(request.user, "role", "") == "monitor"
        and (current is None or current.confirmed_at is None),
        "may_confirm": current is not None and can(request.user, "confirm", current),
        "statuses": Compliance.choices,
        "error": error,
        "fields": field_messages(error),
        "posted": request.POST,
        "requests_visible": set(visible_to(request.user, PartyRequest).values_list("pk", flat=True))
        if may_see_requests
        else set(),
    }
    status = error.status if error else 200
    return render(request, "followup/compliance_cell.html", context, status=status)


@login_required
@require_POST
def measure_step(request: HttpRequest, target: str, step: str) -> HttpResponse:
    """Decide (on a finding), announce or record done (on a measure); back to the incident."""
    try:
        if step == "decide":
            finding = access_finding(request.user, target)
            due = request.POST.get("due") or None
            services.measure_decide(
                actor=request.user,  # type: ignore[arg-type]
                finding=finding,
                party=request.POST.get("party", ""),
                kind=request.POST.get("kind", ""),
                text=request.POST.get("text", ""),
                due=dt.date.fromisoformat(due) if due else None,
            )
            incident_id = finding.incident_id
        else:
            measure = access_measure(request.user, target)
            incident_id = measure.finding.incident_id
            if step == "announce":
                services.measure_announce(actor=request.user, measure=measure)  # type: ignore[arg-type]
            elif step == "done":
                services.measure_done(
                    actor=request.user,  # type: ignore[arg-type]
                    measure=measure,
                    note=request.POST.get("note", ""),
                )
            else:
                raise Http404
    except NotFound as exc:
        raise Http404 from exc
    except ValueError:
        messages.error(request, _("Give the date as YYYY-MM-DD."))
        return redirect(request.META.get("HTTP_REFERER") or "/")
    except ApiError as exc:
        detail = "; ".join(m for v in exc.fields.values() for m in v)
        messages.error(request, f"{exc.message} {detail}".strip())
        return redirect(request.META.get("HTTP_REFERER") or "/")
    messages.success(request, _("Recorded; the step is on the ledger."))
    return redirect("incidents:detail", incident_id=incident_id)
