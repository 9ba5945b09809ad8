"""The report as a download: the public edition for anyone, the parties' edition for the
parties' liaisons and the mechanism."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse

from truceline.core.errors import ApiError
from truceline.policy import is_mediator, is_party_user
from truceline.publications.periodic import render_html, render_pdf


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def periodic(request: HttpRequest) -> HttpResponse:
    edition = request.GET.get("edition", "public")
    if edition == "parties" and not (is_mediator(request.user) or is_party_user(request.user)):
        raise Http404
    start, end = _day(request.GET.get("from")), _day(request.GET.get("to"))
    fmt = request.GET.get("format", "pdf")
    if fmt not in {"pdf", "html"}:
        raise Http404
    try:
        if fmt == "html":
            nonce = str(getattr(request, "csp_nonce", ""))
            return HttpResponse(render_html(start, end, edition, nonce))  # type: ignore[arg-type]
        pdf = render_pdf(start, end, edition)  # type: ignore[arg-type]
    except ApiError as exc:
        detail = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.fields.items())
        return HttpResponse(
            f"{exc.message} {detail}".strip(), status=422, content_type="text/plain; charset=utf-8"
        )
    except OSError:  # WeasyPrint without Pango on this server
        return HttpResponse(
            "The PDF engine is not installed on this server (Pango: see docs/publications.md). "
            "The same report as a web page: add &format=html.",
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"verification-report-{start}-{end}-{edition}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
