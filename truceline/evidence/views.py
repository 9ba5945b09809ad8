"""Evidence pages: one item with its metadata, copies and chain of custody; the download; the
inline image of a re-encoded copy (the only bytes ever shown from the mechanism's origin)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truceline.core.errors import ApiError, NotFound
from truceline.evidence import services
from truceline.evidence.api import DOWNLOAD_HEADERS, download
from truceline.evidence.models import Evidence, Kind, Sharing
from truceline.evidence.selectors import against_report, custody, evidence_out, is_owner_side
from truceline.evidence.store import storage
from truceline.policy import access_evidence, can, visible_to


def _item(request: HttpRequest, evidence_id: str) -> Evidence:
    try:
        return access_evidence(request.user, evidence_id)
    except NotFound as exc:
        raise Http404 from exc


def detail(request: HttpRequest, evidence_id: str) -> HttpResponse:
    item = _item(request, evidence_id)
    services.evidence_handed_out(actor=request.user, item=item, how="viewed")  # type: ignore[arg-type]
    copies = visible_to(request.user, Evidence).filter(derived_from=item)
    context = {
        "item": item,
        "shown": evidence_out(item, request.user),
        "copies": copies,
        "image": item if item.kind != Kind.ORIGINAL else copies.filter(kind=Kind.THUMBNAIL).first(),
        "trail": custody(item) if is_owner_side(request.user, item) else None,
        "versus": against_report(item) if is_owner_side(request.user, item) else None,
        "may_share": item.kind == Kind.ORIGINAL and can(request.user, "share", item),
        "levels": Sharing.choices,
    }
    return render(request, "evidence/detail.html", context)


def download_view(request: HttpRequest, evidence_id: str) -> FileResponse:
    return download(request, _item(request, evidence_id))


def image(request: HttpRequest, evidence_id: str) -> FileResponse:
    """A thumbnail or public copy, inline: re-encoded pixels, nothing else inside."""
    item = _item(request, evidence_id)
    if item.kind == Kind.ORIGINAL:
        raise Http404
    answer = FileResponse(storage().open(item.blob.name, "rb"), content_type=item.media_type)
    for header, value in DOWNLOAD_HEADERS.items():
        answer[header] = value
    answer["Cache-Control"] = "private, max-age=3600"
    return answer


@require_POST
def share(request: HttpRequest, evidence_id: str) -> HttpResponse:
    item = _item(request, evidence_id)
    try:
        if not can(request.user, "share", item):
            raise ApiError("forbidden", _("Only monitors change what is shared."))
        services.evidence_share(
            actor=request.user,  # type: ignore[arg-type]
            item=item,
            sharing=request.POST.get("sharing", ""),
        )
    except ApiError as exc:
        messages.error(
            request,
            exc.message if not exc.fields else " ".join(m for v in exc.fields.values() for m in v),
        )
    else:
        messages.success(request, _("Sharing changed; the change is on the ledger."))
    return redirect("evidence:detail", evidence_id=item.id)
