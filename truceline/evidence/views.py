"""Evidence pages: one item with its metadata, copies and chain of custody; the download; the
inline image of a re-encoded copy (the only bytes ever shown from the mechanism's origin)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from truceline.core.errors import ApiError, Invalid, NotFound
from truceline.evidence import services
from truceline.evidence.api import DOWNLOAD_HEADERS, download
from truceline.evidence.models import Evidence, Kind, Sharing
from truceline.evidence.selectors import against_report, custody, evidence_out, served
from truceline.evidence.store import storage
from truceline.evidence.strip import name_for
from truceline.evidence.uploads import received_files
from truceline.policy import access_evidence, can, visible_to
from truceline.policy.evidence import sees_original


def _item(request: HttpRequest, evidence_id: str) -> Evidence:
    try:
        return access_evidence(request.user, evidence_id)
    except NotFound as exc:
        raise Http404 from exc


def detail(request: HttpRequest, evidence_id: str) -> HttpResponse:
    """One item as the viewer may see it: to its party and the mechanism the original, its
    metadata and chain of custody; to anyone else the copy without metadata alone."""
    item = _item(request, evidence_id)
    services.evidence_handed_out(
        actor=request.user,  # type: ignore[arg-type]
        item=item,
        how="viewed",
        served=served(item, request.user),
    )
    copies = visible_to(request.user, Evidence).filter(derived_from=item)
    image = item if item.kind != Kind.ORIGINAL else copies.filter(kind=Kind.THUMBNAIL).first()
    owner = sees_original(request.user, item)
    context = {
        "item": item,
        "owner": owner,
        "shown": evidence_out(item, request.user),
        "copies": copies,
        "image": image if image is not None and image.media_type.startswith("image/") else None,
        "trail": custody(item, request.user) if can(request.user, "custody", item) else None,
        "versus": against_report(item) if owner else None,
        "may_share": item.kind == Kind.ORIGINAL and can(request.user, "share", item),
        "may_copy": can(request.user, "copy", item) and services.stripped_copy(item) is None,
        "levels": Sharing.choices,
    }
    return render(request, "evidence/detail.html", context)


def download_view(request: HttpRequest, evidence_id: str) -> FileResponse:
    try:
        return download(request, _item(request, evidence_id))
    except NotFound as exc:
        raise Http404 from exc


def image(request: HttpRequest, evidence_id: str) -> FileResponse:
    """A thumbnail or copy without metadata, inline: re-encoded pixels, nothing else inside,
    named by its evidence id."""
    item = _item(request, evidence_id)
    if item.kind == Kind.ORIGINAL or not item.media_type.startswith("image/"):
        raise Http404
    answer = FileResponse(
        storage().open(item.blob.name, "rb"),
        content_type=item.media_type,
        filename=name_for(item.id, item.media_type),
    )
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


@require_POST
def make_copy(request: HttpRequest, evidence_id: str) -> HttpResponse:
    """A monitor makes the copy without metadata others receive (the file is optional for
    photos and text, which are re-encoded here)."""
    item = _item(request, evidence_id)
    try:
        if not can(request.user, "copy", item):
            raise ApiError("forbidden", _("Only monitors make the copy others receive."))
        received = received_files(request, request.FILES.getlist("file"))
        if len(received) > 1:
            raise Invalid({"file": [_("Send one file.")]})
        services.evidence_copy(
            actor=request.user,  # type: ignore[arg-type]
            item=item,
            received=received[0] if received else None,
        )
    except ApiError as exc:
        messages.error(
            request,
            exc.message if not exc.fields else " ".join(m for v in exc.fields.values() for m in v),
        )
    else:
        messages.success(
            request, _("The copy without metadata is made; its making is on the ledger.")
        )
    return redirect("evidence:detail", evidence_id=item.id)
