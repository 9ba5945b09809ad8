"""Resumable uploads for the API: declare, send chunks at offsets, complete.

A chunk is appended only at the upload's current offset; a chunk sent again after a lost
answer (its offset already passed) is answered with the current offset and changes nothing,
so a client on a bad link simply retries. Completing hashes the assembled file and compares
it with the SHA-256 the client declared before it becomes evidence.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.errors import ApiError, Forbidden, Invalid
from truceline.evidence.models import ChunkedUpload, Evidence, UploadState
from truceline.evidence.services import Received, evidence_receive
from truceline.policy import can

CHUNK_MAX = 16 << 20


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


SHA256 = re.compile(r"[0-9a-f]{64}")


def _partial(upload: ChunkedUpload) -> Path:
    folder = Path(settings.FILE_UPLOAD_TEMP_DIR) / "partial"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / upload.id


def upload_begin(*, actor: User, filename: str, size: int, sha256: str) -> ChunkedUpload:
    if not can(actor, "evidence.upload"):
        raise Forbidden(gettext("only party liaisons and monitors upload evidence"))
    errors = {}
    if not 0 < size <= settings.TRUCELINE_EVIDENCE_MAX_FILE:
        errors["size"] = [f"between 1 and {settings.TRUCELINE_EVIDENCE_MAX_FILE:,} bytes"]
    if not SHA256.fullmatch(sha256):
        errors["sha256"] = ["64 lowercase hex digits"]
    if errors:
        raise Invalid(errors)
    upload = ChunkedUpload.objects.create(
        owner=actor, filename=filename[:255], size=size, sha256=sha256, created_at=timezone.now()
    )
    _partial(upload).touch()
    return upload


def upload_chunk(*, upload: ChunkedUpload, offset: int, body: Readable, length: int) -> int:
    """Append the chunk if it starts at the current offset; the new offset either way."""
    if length > CHUNK_MAX:
        raise ApiError("payload-too-large", f"A chunk is at most {CHUNK_MAX:,} bytes.")
    with transaction.atomic():
        upload = ChunkedUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.state != UploadState.OPEN:
            raise ApiError("conflict", gettext("This upload is finished."))
        if offset < upload.offset and offset + length <= upload.offset:
            return upload.offset  # a retry of a chunk already received
        if offset != upload.offset:
            raise ApiError(
                "conflict",
                f"Send the chunk at offset {upload.offset}.",
                extra={"offset": upload.offset},
            )
        if offset + length > upload.size:
            raise Invalid({"Upload-Offset": [gettext("the chunk runs past the declared size")]})
        path = _partial(upload)
        with path.open("r+b") as out:
            out.truncate(offset)  # whatever a broken earlier attempt left past the offset
            out.seek(offset)
            remaining = length
            while remaining:
                block = body.read(min(remaining, 1 << 20))
                if not block:
                    raise ApiError("bad-request", gettext("The chunk ended early; send it again."))
                out.write(block)
                remaining -= len(block)
            out.flush()
            os.fsync(out.fileno())
        upload.offset = offset + length
        upload.save(update_fields=["offset"])
        return upload.offset


def upload_complete(*, actor: User, upload: ChunkedUpload, sharing: str) -> Evidence:
    if upload.state != UploadState.OPEN:
        raise ApiError("conflict", gettext("This upload is finished."))
    if upload.offset != upload.size:
        raise ApiError(
            "conflict",
            f"{upload.size - upload.offset:,} bytes are still missing.",
            extra={"offset": upload.offset},
        )
    path = _partial(upload)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    if digest.hexdigest() != upload.sha256:
        ChunkedUpload.objects.filter(pk=upload.pk).update(state=UploadState.FAILED)
        path.unlink(missing_ok=True)
        raise Invalid({"sha256": [gettext("the bytes received do not match the declared SHA-256")]})
    with transaction.atomic():
        (item,) = evidence_receive(
            actor=actor,
            files=[Received(path, upload.filename, upload.size, upload.sha256)],
            sharing=sharing,
        )
        ChunkedUpload.objects.filter(pk=upload.pk).update(state=UploadState.DONE, evidence=item)
    path.unlink(missing_ok=True)
    return item
