"""The upload handler every multipart request goes through: bytes go to a temporary file on
disk as they arrive (never all in memory), hashed on the way, and the upload stops the moment
a file or the whole submission passes its limit."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest
from django.utils.translation import gettext

from truceline.core.errors import ApiError
from truceline.evidence.services import Received

REFUSED = "truceline.upload_refused"


class HashingUploadHandler(TemporaryFileUploadHandler):
    chunk_size = 1 << 20

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.total = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.sha = hashlib.sha256()
        self.size = 0

    def _refuse(self, message: str) -> None:
        if self.request is not None:
            self.request.META[REFUSED] = message
        if getattr(self, "file", None) is not None:
            self.file.close()  # a temporary file: closing removes it
        raise StopUpload(connection_reset=True)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        self.total += len(raw_data)
        if self.size > settings.TRUCELINE_EVIDENCE_MAX_FILE:
            self._refuse(
                f"“{self.file_name}” is larger than the limit of "
                f"{settings.TRUCELINE_EVIDENCE_MAX_FILE:,} bytes per file."
            )
        if self.total > settings.TRUCELINE_EVIDENCE_MAX_SUBMISSION:
            self._refuse(
                f"These files together pass the limit of "
                f"{settings.TRUCELINE_EVIDENCE_MAX_SUBMISSION:,} bytes per submission."
            )
        self.sha.update(raw_data)
        super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> Any:
        uploaded = super().file_complete(file_size)
        uploaded.sha256 = self.sha.hexdigest()  # type: ignore[union-attr]
        return uploaded


def received_files(request: HttpRequest, files: Sequence[UploadedFile]) -> list[Received]:
    """The files this handler kept for the request, or the reason it stopped (413)."""
    refused = request.META.get(REFUSED)
    if refused:
        raise ApiError("payload-too-large", refused)
    out = []
    for f in files:
        path = getattr(f, "temporary_file_path", None)
        if path is None or not hasattr(f, "sha256"):
            raise ApiError("bad-request", gettext("The upload could not be read."))
        out.append(Received(Path(path()), f.name or "upload", f.size or 0, f.sha256))
    return out


def evidence_from_form(request: HttpRequest, sharing: str) -> list[Any]:
    """A page's multipart ``files`` field, received as evidence (nothing when empty)."""
    from truceline.evidence.services import evidence_receive

    files = received_files(request, request.FILES.getlist("files"))
    if not files:
        return []
    return evidence_receive(actor=request.user, files=files, sharing=sharing)  # type: ignore[arg-type]
