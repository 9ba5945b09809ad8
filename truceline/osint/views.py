"""Pages of open-source monitoring: the candidates queue (ingest a file, accept, merge or
dismiss with the evidence spans highlighted) and the claims register."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truceline.core.errors import ApiError, NotFound
from truceline.exchange.exports import chunked, csv_lines
from truceline.osint import services
from truceline.osint.models import Candidate, CandidateGroup, CandidateStatus, Claim, ClaimKind
from truceline.osint.sources import SourceError, from_html, from_text
from truceline.policy import access_candidate, reads_working_file, visible_to
from truceline.scenario.models import Actor

MAX_UPLOAD = 2_000_000
FIELD_LABELS = {
    "category": "what happened",
    "date": "when",
    "place": "where",
    "actor": "who acted",
    "target": "against whom",
    "killed": "killed",
    "injured": "injured",
}


def highlight(text: str, start: int, end: int, spans: dict[str, list[list[int]]]) -> SafeString:
    """The sentence ``text[start:end]``, escaped, each extracted value's span in a <mark>."""
    marks = sorted(
        (max(a, start), min(b, end), field)
        for field, ranges in spans.items()
        for a, b in ranges
        if a < end and b > start
    )
    out: list[str] = []
    at = start
    for a, b, field in marks:
        if a < at:
            continue
        out.append(escape(text[at:a]))
        label = FIELD_LABELS.get(field, field)
        out.append(
            f'<mark data-field="{escape(field)}" title="{escape(label)}">{escape(text[a:b])}'
            f'<span class="visually-hidden"> ({escape(label)})</span></mark>'
        )
        at = b
    out.append(escape(text[at:end]))
    return mark_safe("".join(out))  # noqa: S308 (every piece escaped above)


def _mediator(request: HttpRequest) -> None:
    if not reads_working_file(request.user):
        raise Http404


@login_required
def monitoring(request: HttpRequest) -> HttpResponse:
    _mediator(request)
    status = request.GET.get("status", "open")
    if status not in CandidateStatus.values:
        status = "open"
    candidates = visible_to(request.user, Candidate).filter(status=status)
    groups = (
        visible_to(request.user, CandidateGroup)
        .filter(candidates__status=status)
        .distinct()
        .select_related("category", "place")
        .prefetch_related(
            Prefetch(
                "candidates",
                queryset=candidates.select_related("article", "incident", "place", "report"),
            )
        )
    )
    page = Paginator(groups, 20).get_page(request.GET.get("page"))
    for group in page:
        for c in group.candidates.all():
            c.marked = highlight(  # type: ignore[attr-defined]
                c.article.text, c.sentence_start, c.sentence_end, c.spans
            )
    return render(
        request,
        "osint/monitoring.html",
        {"page": page, "status": status, "statuses": CandidateStatus.choices},
    )


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    _mediator(request)
    files = request.FILES.getlist("articles")
    if not files:
        messages.error(request, _("Choose one or more article files (.txt or .html)."))
        return redirect("osint:monitoring")
    items, problems = [], []
    for f in files:
        if f.size is not None and f.size > MAX_UPLOAD:
            problems.append(f"{f.name}: larger than 2 MB")
            continue
        try:
            body = f.read().decode("utf-8")
        except UnicodeDecodeError:
            problems.append(f"{f.name}: not UTF-8 text")
            continue
        today = dt.datetime.now(dt.UTC).date()
        try:
            if (f.name or "").lower().endswith((".html", ".htm")):
                items.append(from_html(body, url="", fallback_date=today, source=f.name or ""))
            else:
                items.append(from_text(body, source=f.name or "upload", fallback_date=today))
        except SourceError as exc:
            problems.append(str(exc))
    if problems:  # one bad file refuses the upload: nothing half-done
        messages.error(request, _("Nothing was ingested: ") + "; ".join(problems))
        return redirect("osint:monitoring")
    try:
        result = services.ingest(actor=request.user, items=items)  # type: ignore[arg-type]
    except ApiError as exc:
        messages.error(request, exc.message)
        return redirect("osint:monitoring")
    if result.refused:
        messages.error(request, "; ".join(result.refused))
    found = sum(a.candidates.count() for a in result.added)
    messages.success(
        request,
        _("%(added)d article(s) added, %(known)d already known; %(found)d candidate event(s).")
        % {"added": len(result.added), "known": result.duplicates, "found": found},
    )
    return redirect("osint:monitoring")


@login_required
@require_POST
def decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    try:
        candidate = access_candidate(request.user, candidate_id)
    except NotFound as exc:
        raise Http404 from exc
    action = request.POST.get("action", "")
    try:
        if action == "accept":
            report = services.candidate_accept(actor=request.user, candidate=candidate)  # type: ignore[arg-type]
            messages.success(request, _("Filed as open-source report %(id)s.") % {"id": report.id})
        elif action == "merge":
            if candidate.incident is None:
                raise Http404
            services.candidate_merge(
                actor=request.user,  # type: ignore[arg-type]
                candidate=candidate,
                incident=candidate.incident,
            )
            messages.success(
                request,
                _("Recorded as describing incident %(id)s.") % {"id": candidate.incident_id},
            )
        elif action == "dismiss":
            services.candidate_dismiss(
                actor=request.user,  # type: ignore[arg-type]
                candidate=candidate,
                reason=request.POST.get("reason", ""),
            )
            messages.success(request, _("Dismissed."))
        else:
            messages.error(request, _("Choose accept, merge or dismiss."))
    except ApiError as exc:
        detail = "; ".join(m for v in exc.fields.values() for m in v)
        messages.error(request, f"{exc.message} {detail}".strip())
    return redirect(f"{reverse('osint:monitoring')}#group-{candidate.group_id}")


def _claims(request: HttpRequest) -> tuple[Any, dict[str, str]]:
    q = request.GET.get("q", "").strip()[:200]
    speaker = request.GET.get("actor", "").strip()[:60]
    kind = request.GET.get("kind", "").strip()
    claims = visible_to(request.user, Claim).select_related("article", "speaker", "organisation")
    if q:
        claims = claims.filter(Q(quote__icontains=q) | Q(article__title__icontains=q))
    if speaker:
        claims = claims.filter(Q(speaker_id=speaker) | Q(organisation_id=speaker))
    if kind in ClaimKind.values:
        claims = claims.filter(kind=kind)
    else:
        kind = ""
    return claims.order_by("-article__published", "id"), {"q": q, "actor": speaker, "kind": kind}


@login_required
def claims(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Statements by actor and date; those about one event side by side."""
    _mediator(request)
    rows, chosen = _claims(request)
    if request.GET.get("format") == "csv":
        return _claims_csv(rows)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    groups: dict[int, list[Claim]] = {}
    for claim in page:
        claim.marked = escape(claim.quote)  # type: ignore[attr-defined]
        if claim.group_id:
            groups.setdefault(claim.group_id, []).append(claim)
    disputes = [
        (CandidateGroup.objects.select_related("category", "place").get(pk=g), cs)
        for g, cs in groups.items()
        if len({c.organisation_id for c in cs}) > 1
    ]
    speakers = Actor.objects.filter(
        retired=False, kind__in=("official", "spokesperson", "institution", "armed-group")
    )
    return render(
        request,
        "osint/claims.html",
        {
            "page": page,
            "chosen": chosen,
            "kinds": ClaimKind.choices,
            "speakers": speakers,
            "disputes": disputes,
        },
    )


def _claims_csv(rows: Any) -> StreamingHttpResponse:
    header = ["said_on", "published", "speaker", "organisation", "kind", "quote", "title", "url"]
    lines = (
        [
            claim.said_on.isoformat() if claim.said_on else "",
            claim.article.published.isoformat(),
            claim.speaker.name if claim.speaker else "",
            claim.organisation.name,
            claim.kind,
            claim.quote,
            claim.article.title,
            claim.article.url,
        ]
        for claim in rows.iterator(chunk_size=500)
    )
    response = StreamingHttpResponse(
        chunked(csv_lines(header, lines, None)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="claims.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
