"""The report as a download.

The public edition of each fixed period (each month, each quarter, since the ceasefire) is
read from what the worker stored (editions.py): an anonymous request costs a row read, never a
build, and a period not built yet answers "being prepared". A report of any other period, and
the parties' edition, is built on request for signed-in readers only, under the ``report``
rate limit (security/ratelimit.py).
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from truceline.core.errors import ApiError
from truceline.policy import reads_parties_edition
from truceline.publications import editions
from truceline.publications.periodic import render_html, render_pdf

# how long a reader is asked to wait for an edition being prepared
PREPARING_SECONDS = 600


def _day(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value or "")
    except ValueError:
        return None


def _index(request: HttpRequest, *, status: int = 200, refused: bool = False) -> HttpResponse:
    have = editions.stored()
    periods = [
        {"period": p, "stored": have.get(p.key), "open": p.end >= editions._today()}
        for p in editions.fixed_periods()
    ]
    context = {
        "periods": periods,
        "refused": refused,
        "signed_in": request.user.is_authenticated,
        "query": request.GET.urlencode(),
    }
    return render(request, "publications/editions.html", context, status=status)


def periodic(request: HttpRequest) -> HttpResponse:
    """The stored editions' index; the address a report of any dates had before (a fixed
    period's dates lead to its stored edition, other dates to the signed-in builder)."""
    if "from" not in request.GET and "to" not in request.GET:
        return _index(request)
    edition = request.GET.get("edition", "public")
    if edition == "parties" and not reads_parties_edition(request.user):
        raise Http404
    fmt = request.GET.get("format", "pdf")
    period = editions.matching(_day(request.GET.get("from")), _day(request.GET.get("to")))
    if edition == "public" and period is not None and fmt in {"pdf", "html"}:
        return HttpResponseRedirect(_edition_url(period.key, fmt))
    if not request.user.is_authenticated:
        return _index(request, status=403, refused=True)
    return HttpResponseRedirect(f"{reverse('publications:any')}?{request.GET.urlencode()}")


def _edition_url(key: str, fmt: str) -> str:
    if fmt == "pdf":
        return reverse("publications:edition-pdf", args=[key])
    return reverse("publications:edition", args=[key])


def _stored(request: HttpRequest, key: str, fmt: str) -> HttpResponse:
    period = editions.period_of(key)
    if period is None:
        raise Http404
    found = None
    version = request.GET.get("version")
    if version is not None:
        if not version.isdigit():
            raise Http404
        rows = {
            e.language: e for e in editions.Edition.objects.filter(period=key, version=int(version))
        }
        found = rows.get(get_language() or "") or rows.get(editions.settings.LANGUAGE_CODE)
        if found is None:
            raise Http404
    else:
        found = editions.latest(key, get_language() or "")
    if found is None:
        editions.refresh_soon()  # one waiting rebuild, however many ask
        answer = render(
            request,
            "publications/preparing.html",
            {"period": period, "minutes": PREPARING_SECONDS // 60},
            status=503,
        )
        answer["Retry-After"] = str(PREPARING_SECONDS)
        return answer
    if fmt == "html":
        nonce = str(getattr(request, "csp_nonce", ""))
        answer = HttpResponse(found.html.replace(editions.NONCE, nonce, 1))
    else:
        answer = HttpResponse(bytes(found.pdf), content_type="application/pdf")
        name = f"verification-report-{key}-v{found.version}-{found.language}.pdf"
        answer["Content-Disposition"] = f'attachment; filename="{name}"'
    answer["Content-Language"] = found.language
    answer["ETag"] = f'"{found.pdf_sha256 if fmt == "pdf" else found.html_sha256}"'
    return answer


def edition(request: HttpRequest, key: str) -> HttpResponse:
    """The stored public edition of a fixed period, as a web page."""
    return _stored(request, key, "html")


def edition_pdf(request: HttpRequest, key: str) -> HttpResponse:
    """The stored public edition of a fixed period, as PDF."""
    return _stored(request, key, "pdf")


def any_period(request: HttpRequest) -> HttpResponse:
    """A report of any dates, either edition, built now: signed-in readers only (rate
    limited); the parties' edition for the parties' liaisons and the mechanism."""
    if not request.user.is_authenticated:
        return _index(request, status=403, refused=True)
    edition = request.GET.get("edition", "public")
    if edition == "parties" and not reads_parties_edition(request.user):
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
            _(
                "The PDF engine is not installed on this server (Pango: see "
                "docs/publications.md). The same report as a web page: add &format=html."
            ),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    name = f"verification-report-{start}-{end}-{edition}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
