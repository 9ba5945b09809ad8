"""The agreement page (public) and the requests pages (the parties concerned, mediators)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from truceline.core.errors import ApiError, Invalid, NotFound, field_messages
from truceline.core.parsing import datetime_or_none
from truceline.followup import rounds, selectors, services
from truceline.followup.models import (
    Answer,
    Assessment,
    Compliance,
    Measure,
    PartyRequest,
    RequestKind,
)
from truceline.policy import (
    access_finding,
    access_measure,
    access_request,
    access_round,
    can,
    visible_to,
)
from truceline.scenario.models import Commitment, Organisation, OrganisationKind, Place


def agreement(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "followup/agreement.html",
        {
            "may_record": can(request.user, "round.record"),
            "rounds": selectors.rounds(request.user),
            "commitments": selectors.commitments(request.user),
            "retired": selectors.commitments(request.user, retired=True),
            "request_counts": selectors.request_counts(),
        },
    )


DECISION_ROWS = 4
DECISION_FIELDS = ("kind", "text", "commitment", "title", "clause", "date")


def _round_input(post: Any, row_of: list[int]) -> rounds.RoundInput:
    """The round form's fields as the service's input; a bad date is a field error.
    ``row_of`` receives the form row of each decision (empty rows are skipped)."""
    errors: dict[str, list[str]] = {}

    def day(name: str) -> dt.date:
        try:
            return dt.date.fromisoformat(post.get(name, ""))
        except ValueError:
            errors[name] = [_("a date, as YYYY-MM-DD")]
            return dt.date.min

    starts, ends = day("starts"), day("ends")
    parties = list(
        Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False).values_list(
            "pk", flat=True
        )
    )
    delegations = [
        rounds.DelegationInput(
            organisation=org,
            head=post.get(f"head-{org}", ""),
            members=[m for m in post.get(f"members-{org}", "").split(",") if m.strip()],
        )
        for org in parties
        if post.get(f"head-{org}", "").strip() or post.get(f"members-{org}", "").strip()
    ]
    decisions: list[rounds.DecisionInput] = []
    for n in range(DECISION_ROWS):
        kind, text = post.get(f"d{n}-kind", ""), post.get(f"d{n}-text", "")
        if not kind and not text.strip():
            continue
        when = post.get(f"d{n}-date", "")
        try:
            date = dt.date.fromisoformat(when) if when else None
        except ValueError:
            errors[f"decisions[{len(decisions)}].date"] = [_("a date, as YYYY-MM-DD")]
            date = None
        row_of.append(n)
        decisions.append(
            rounds.DecisionInput(
                kind=kind,
                text=text,
                commitment=post.get(f"d{n}-commitment", "").strip() or None,
                title=post.get(f"d{n}-title", ""),
                clause=post.get(f"d{n}-clause", ""),
                parties=parties if kind == "create-commitment" else [],
                date=date,
            )
        )
    data = rounds.RoundInput(
        title=post.get("title", ""),
        venue=post.get("venue", ""),
        starts=starts,
        ends=ends,
        mediators=post.getlist("mediators"),
        delegations=delegations,
        agenda=post.get("agenda", "").splitlines(),
        summary=post.get("summary", ""),
        outcome=post.get("outcome", ""),
        decisions=decisions,
    )
    if errors:  # with the rest of the form's problems, so that all are shown at once
        raise Invalid(rounds.round_problems(data) | errors)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def round_new(request: HttpRequest) -> HttpResponse:
    if not can(request.user, "round.record"):
        raise Http404
    error: ApiError | None = None
    row_of: list[int] = []
    if request.method == "POST":
        try:
            talks = rounds.round_record(
                actor=request.user,  # type: ignore[arg-type]
                data=_round_input(request.POST, row_of),
            )
        except ApiError as exc:
            error = exc
        else:
            messages.success(
                request,
                _("Round recorded; a guarantor's announcement makes it public."),
            )
            return redirect(f"{reverse('followup:agreement')}#{talks.slug}")
    row_errors: dict[int, list[str]] = {}
    for key, msgs in (error.fields if error else {}).items():
        if key.startswith("decisions["):
            index, _sep, name = key[len("decisions[") :].partition("].")
            row = row_of[int(index)] if int(index) < len(row_of) else 0
            row_errors.setdefault(row, []).append(f"{name}: {'; '.join(msgs)}")
    context = {
        "error": error,
        "fields": field_messages(error),
        "posted": request.POST,
        "rows": [
            {
                "n": n,
                "error": "; ".join(row_errors.get(n, [])),
                **{f: request.POST.get(f"d{n}-{f}", "") for f in DECISION_FIELDS},
            }
            for n in range(DECISION_ROWS)
        ],
        "delegations": [
            {
                "org": org,
                "head": request.POST.get(f"head-{org.pk}", ""),
                "members": request.POST.get(f"members-{org.pk}", ""),
            }
            for org in Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False)
        ],
        "chosen_mediators": request.POST.getlist("mediators"),
        "decision_kinds": rounds.DECISION_KINDS,
        "mediators": Organisation.objects.filter(kind=OrganisationKind.MEDIATOR, retired=False),
        "commitments": Commitment.objects.filter(retired=False),
    }
    return render(
        request, "followup/round_new.html", context, status=error.status if error else 200
    )


@login_required
@require_POST
def round_announce(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        talks = access_round(request.user, slug)
        rounds.round_announce(
            actor=request.user,  # type: ignore[arg-type]
            talks=talks,
            code=request.POST.get("code", ""),
        )
    except NotFound as exc:
        raise Http404 from exc
    except ApiError as exc:
        detail = "; ".join(m for v in exc.fields.values() for m in v)
        messages.error(request, f"{exc.message} {detail}".strip())
    else:
        messages.success(request, _("Announced: the round is public and its decisions apply."))
    return redirect(f"{reverse('followup:agreement')}#{slug}")


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
        deadline = datetime_or_none(request.POST.get("deadline"))
        if deadline is not None and timezone.is_naive(deadline):
            # read in the zone the form names: the user's own (current_zone in the template)
            deadline = timezone.make_aware(deadline)
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
                    # an id that is no number stays as 0, which no subject has: refused
                    subjects=request.POST.getlist("subjects"),
                    notes=request.POST.get("notes", ""),
                )
            else:
                raise ApiError("forbidden", _("You may not do that."))
        except ValueError:
            error = ApiError(
                "invalid", _("Give the date as YYYY-MM-DD."), fields={"on": [_("a date")]}
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
    from truceline.followup import compliance as comp

    error: ApiError | None = None
    months = request.GET.get("months") or None
    try:
        count = int(months) if months is not None else None
    except ValueError:
        count = 0  # refused below, with the message
    try:
        cols = comp.period_range(request.GET.get("from") or None, count)
    except ApiError as exc:
        error, cols = exc, comp.periods()
    data = comp.grid(request.user, cols)
    data.update(
        {
            "error": error,
            "fields": field_messages(error),
            "chosen": {"from": cols[0], "months": len(cols)},
            "month_choices": range(1, comp.MAX_MONTHS + 1),
        }
    )
    return render(request, "followup/compliance.html", data, status=error.status if error else 200)


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
                comp.assessment_confirm(
                    actor=request.user,  # type: ignore[arg-type]
                    assessment=current,
                    code=request.POST.get("code", ""),
                )
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
    indicators = comp.shown(request.user, comp.indicators(clause, party, period))
    context = {
        "clause": clause,
        "party": Organisation.objects.get(pk=party),
        "period": period,
        "indicators": indicators,
        "assessment": current,
        "may_propose": can(request.user, "assessment.propose")
        and (current is None or current.confirmed_at is None),
        "may_confirm": current is not None and can(request.user, "confirm", current),
        "statuses": Compliance.choices,
        "error": error,
        "fields": field_messages(error),
        "posted": request.POST,
    }
    status = error.status if error else 200
    return render(request, "followup/compliance_cell.html", context, status=status)


def _measure_state(state: str) -> Q | None:
    today = timezone.now().date()
    return {
        "open": Q(done_at__isnull=True),
        "overdue": Q(done_at__isnull=True, due__lt=today),
        "done": Q(done_at__isnull=False),
    }.get(state)


def measure_list(request: HttpRequest) -> HttpResponse:
    """The guarantors' measures this viewer may see (the public: those announced), newest
    first, by follow-up state and party."""
    state = request.GET.get("state", "")
    party = request.GET.get("party", "")
    found = visible_to(request.user, Measure).select_related("party", "finding")
    chosen = _measure_state(state)
    if chosen is not None:
        found = found.filter(chosen)
    parties = Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False)
    if party in {p.pk for p in parties}:
        found = found.filter(party_id=party)
    context = {
        "measures": found.order_by("-decided_at")[:200],
        "states": [
            ("", _("All")),
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("done", _("Done")),
        ],
        "state": state,
        "party": party,
        "parties": parties,
    }
    return render(request, "followup/measure_list.html", context)


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
                code=request.POST.get("code", ""),
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
