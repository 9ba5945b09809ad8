"""/evidence: upload (multipart, several files), read, download, custody, sharing."""

from __future__ import annotations

from typing import Any, Literal

from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, Page, PageParams, actor_of, errors, file_answer, paginate
from truceline.core.errors import Forbidden, Invalid, NotFound
from truceline.evidence import chunked, services
from truceline.evidence.models import ChunkedUpload, Evidence
from truceline.evidence.outputs import (
    CustodyOut,
    EvidenceOut,
    ReceivedOut,
    UploadOffsetOut,
    UploadOut,
    custody_out,
    received_out,
    upload_offset_out,
    upload_out,
)
from truceline.evidence.selectors import download_name, evidence_out, evidence_page_read, served
from truceline.evidence.store import storage
from truceline.evidence.uploads import received_files
from truceline.ledger.services import capture_events
from truceline.policy import access_evidence, can, visible_to

router = Router(tags=["evidence"])

# Never rendered from our origin: a download, not sniffed, and sandboxed if opened anyway.
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cache-Control": "private, no-store",
}


class SharingIn(Schema):
    model_config = ConfigDict(extra="forbid")
    sharing: Literal["mechanism", "parties", "public"]


@router.post(
    "/evidence",
    response={201: ReceivedOut, **errors(400, 401, 403, 413, 422)},
    auth=Bearer(),
    summary="Upload one or more files (multipart field `files`); each becomes its own item",
    exclude_unset=True,
)
def evidence_upload(
    request: HttpRequest,
    sharing: Form[Literal["mechanism", "parties"]] = "mechanism",
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # refused uploads
) -> Status:
    received = received_files(request, files or [])
    with capture_events() as events:
        items = services.evidence_receive(actor=actor_of(request), files=received, sharing=sharing)
    return Status(201, received_out(items, events, request.user))


@router.get(
    "/evidence",
    response={200: Page[EvidenceOut], **errors(401, 422)},
    auth=Bearer(),
    summary="The items this caller may see",
    exclude_unset=True,
)
def evidence_list(request: HttpRequest, q: Query[PageParams]) -> dict[str, Any]:
    items = (
        visible_to(request.user, Evidence).select_related("uploaded_by").order_by("-uploaded_at")
    )
    return paginate(
        items,
        q,
        lambda i: evidence_out(i, request.user),
        prepare=lambda page: evidence_page_read(request.user, page),
    )


@router.get(
    "/evidence/{evidence_id}",
    response={200: EvidenceOut, **errors(401, 404)},
    auth=Bearer(),
    summary="One item: type, size, SHA-256, metadata (its view is on the chain of custody)",
    exclude_unset=True,
)
def evidence_get(request: HttpRequest, evidence_id: str) -> dict[str, Any]:
    item = access_evidence(request.user, evidence_id)
    services.evidence_handed_out(
        actor=actor_of(request), item=item, how="viewed", served=served(item, request.user)
    )
    return evidence_out(item, request.user)


@router.get(
    "/evidence/{evidence_id}/custody",
    response={200: CustodyOut, **errors(401, 403, 404)},
    auth=Bearer(),
    summary="The chain of custody: every handling, who and when",
    exclude_unset=True,
)
def evidence_custody(request: HttpRequest, evidence_id: str) -> dict[str, Any]:
    item = access_evidence(request.user, evidence_id)
    if not can(request.user, "custody", item):
        raise Forbidden(gettext("the trail is the mechanism's and the uploading party's"))
    return custody_out(item, request.user)


@router.get(
    "/evidence/{evidence_id}/download",
    response={200: None, **errors(401, 404)},
    auth=Bearer(),
    openapi_extra=file_answer("The bytes, as an attachment", "application/octet-stream"),
    summary=(
        "The bytes, always as an attachment: the original to its party and the mechanism, "
        "the copy without metadata (named by the evidence id) to anyone else"
    ),
)
def evidence_download(request: HttpRequest, evidence_id: str) -> FileResponse:
    item = access_evidence(request.user, evidence_id)
    return download(request, item)


def download(request: HttpRequest, item: Evidence) -> FileResponse:
    bytes_of = served(item, request.user)
    if bytes_of is None:  # the policy shows no original without its copy
        raise NotFound()
    services.evidence_handed_out(
        actor=request.user,  # type: ignore[arg-type]
        item=item,
        how="downloaded",
        served=bytes_of,
    )
    answer = FileResponse(
        storage().open(bytes_of.blob.name, "rb"),
        as_attachment=True,
        filename=download_name(item, request.user, bytes_of),
        content_type="application/octet-stream",
    )
    for header, value in DOWNLOAD_HEADERS.items():
        answer[header] = value
    return answer


@router.post(
    "/evidence/{evidence_id}/sharing",
    response={200: EvidenceOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Monitors: mechanism only, parties, or public (a copy without metadata)",
    exclude_unset=True,
)
def evidence_sharing(request: HttpRequest, evidence_id: str, payload: SharingIn) -> dict[str, Any]:
    item = access_evidence(request.user, evidence_id)
    if not can(request.user, "share", item):
        raise Forbidden(gettext("only monitors change what is shared"))
    item = services.evidence_share(actor=actor_of(request), item=item, sharing=payload.sharing)
    return evidence_out(item, request.user)


@router.post(
    "/evidence/{evidence_id}/copy",
    response={201: EvidenceOut, **errors(400, 401, 403, 404, 409, 413, 422)},
    auth=Bearer(),
    summary=(
        "Monitors: make the copy without metadata others receive — re-encoded here (photos, "
        "text), or the file sent in `file`, prepared without metadata (any other type)"
    ),
    exclude_unset=True,
)
def evidence_make_copy(
    request: HttpRequest,
    evidence_id: str,
    file: File[list[UploadedFile]] = None,  # type: ignore[assignment]  # optional
) -> Status:
    item = access_evidence(request.user, evidence_id)
    if not can(request.user, "copy", item):
        raise Forbidden(gettext("only monitors make the copy others receive"))
    received = received_files(request, file or [])
    if len(received) > 1:
        raise Invalid({"file": [gettext("Send one file.")]})
    copy = services.evidence_copy(
        actor=actor_of(request), item=item, received=received[0] if received else None
    )
    return Status(201, evidence_out(copy, request.user))


class UploadIn(Schema):
    model_config = ConfigDict(extra="forbid")
    filename: str = Field(min_length=1, max_length=255)
    size: int = Field(gt=0, le=2**62)
    sha256: str = Field(min_length=64, max_length=64)


class CompleteIn(Schema):
    model_config = ConfigDict(extra="forbid")
    sharing: Literal["mechanism", "parties"] = "mechanism"


def _upload_of(request: HttpRequest, upload_id: str) -> ChunkedUpload:
    upload = ChunkedUpload.objects.filter(pk=upload_id, owner_id=request.user.pk).first()
    if upload is None:
        raise NotFound()
    return upload


@router.post(
    "/uploads",
    response={201: UploadOut, **errors(400, 401, 403, 422)},
    auth=Bearer(),
    summary="Begin a resumable upload: declare its size and SHA-256",
    exclude_unset=True,
)
def uploads_begin(request: HttpRequest, payload: UploadIn) -> Status:
    upload = chunked.upload_begin(
        actor=actor_of(request), filename=payload.filename, size=payload.size, sha256=payload.sha256
    )
    return Status(201, upload_out(upload))


@router.get(
    "/uploads/{upload_id}",
    response={200: UploadOut, **errors(401, 404)},
    auth=Bearer(),
    summary="Where a resumable upload stands (its offset: where to send the next chunk)",
    exclude_unset=True,
)
def uploads_get(request: HttpRequest, upload_id: str) -> dict[str, Any]:
    return upload_out(_upload_of(request, upload_id))


@router.put(
    "/uploads/{upload_id}",
    response={200: UploadOffsetOut, **errors(400, 401, 404, 409, 413, 422)},
    auth=Bearer(),
    summary="Send the chunk at `Upload-Offset` (raw bytes); a repeated chunk changes nothing",
    exclude_unset=True,
)
def uploads_chunk(request: HttpRequest, upload_id: str) -> dict[str, Any]:
    upload = _upload_of(request, upload_id)
    offset_text = request.headers.get("Upload-Offset", "")
    length_text = request.headers.get("Content-Length", "")
    if not offset_text.isdigit() or not length_text.isdigit() or len(offset_text) > 18:
        raise Invalid(
            {"Upload-Offset": [gettext("send Upload-Offset and Content-Length as integers")]}
        )
    offset = chunked.upload_chunk(
        upload=upload, offset=int(offset_text), body=request, length=int(length_text)
    )
    return upload_offset_out(upload, offset)


@router.post(
    "/uploads/{upload_id}/complete",
    response={201: ReceivedOut, **errors(400, 401, 403, 404, 409, 422)},
    auth=Bearer(),
    summary="Finish: the assembled bytes must match the declared SHA-256; then it is evidence",
    exclude_unset=True,
)
def uploads_complete(request: HttpRequest, upload_id: str, payload: CompleteIn) -> Status:
    upload = _upload_of(request, upload_id)
    with capture_events() as events:
        item = chunked.upload_complete(
            actor=actor_of(request), upload=upload, sharing=payload.sharing
        )
    return Status(201, received_out([item], events, request.user))
