"""``Idempotency-Key`` on every create (POST) under /api/: see services.run_once."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponseBase, JsonResponse

from truceline.accounts.services import request_bearer_user
from truceline.core.errors import error_body
from truceline.core.middleware import API_PREFIX
from truceline.idempotency.services import run_once

HEADER = "Idempotency-Key"


def parse_key(raw: str) -> str | None:
    """The key of a header value: a structured-field string (``"…"``), or the same bare.
    1 to 255 printable ASCII characters; None when it is not one."""
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not 1 <= len(value) <= 255:
        return None
    if any(not 0x20 <= ord(c) <= 0x7E or c in '"\\' for c in value):
        return None
    return value


def fingerprint(request: HttpRequest) -> str:
    """SHA-256 over method, path with query, media type and body. Of a multipart body, the
    fields and each file's name, size and SHA-256 (the upload handler hashed it on the way),
    so a large upload is never held in memory to be fingerprinted."""
    digest = hashlib.sha256()
    for part in (request.method or "", request.get_full_path(), request.content_type or ""):
        digest.update(part.encode() + b"\x00")
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(f"{name}={value}".encode() + b"\x00")
        for name, files in sorted(request.FILES.lists()):
            for f in files:
                sha = getattr(f, "sha256", "")
                digest.update(f"{name}:{f.name}:{f.size}:{sha}".encode() + b"\x00")
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _client_id(request: HttpRequest) -> int | None:
    user = request_bearer_user(request)
    return user.pk if user is not None else None


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        header = request.headers.get(HEADER)
        if header is None or request.method != "POST" or not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        key = parse_key(header)
        if key is None:
            message = "Idempotency-Key must be 1 to 255 printable ASCII characters."
            return JsonResponse(error_body("bad-request", message), status=400)
        client_id = _client_id(request)
        if client_id is None:  # no client to keep the key for: the endpoint answers (401)
            return self.get_response(request)
        try:
            print_ = fingerprint(request)
        except RequestDataTooBig:  # answered 413 further in
            return self.get_response(request)
        return run_once(
            client_id=client_id,
            key=key,
            fingerprint=print_,
            method=request.method,
            path=request.get_full_path(),
            call=lambda: self.get_response(request),
        )
