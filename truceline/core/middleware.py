"""Cross-cutting middleware: the API error shape for every error, the viewer's time zone, and
compression of text on the wire."""

from __future__ import annotations

import json
import logging
import zoneinfo
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware.gzip import GZipMiddleware
from django.utils import timezone

from truceline.core.clientip import from_trusted_proxy
from truceline.core.errors import CODES, error_body

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
# Django turns these into 4xx responses itself; __call__ then gives them the API's shape.
_HANDLED_BY_DJANGO = (Http404, PermissionDenied, SuspiciousOperation)
_STATUS_TO_CODE = {status: code for code, (status, _msg) in reversed(list(CODES.items()))}


class ForwardedProtoFromProxies:
    """``X-Forwarded-Proto`` says whether the client reached the proxy over TLS; Django
    believes it (``SECURE_PROXY_SSL_HEADER``), so it is dropped unless the connection comes
    from the mechanism's own proxy (core/clientip.py). A client that reaches ``serve``
    directly cannot pass a plain connection off as an encrypted one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(request):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)


class ApiErrorShapeMiddleware:
    """Under /api/, any error Django or ninja answered in another shape gets the API's shape.

    Ninja's own handlers already answer in the shape; this catches the rest: unknown paths,
    wrong methods, oversized bodies, and (should it ever happen) an unhandled exception.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json") and _has_shape(response):
            return response
        code = _STATUS_TO_CODE.get(response.status_code)
        if code is None:
            code = "bad-request" if response.status_code < 500 else "internal"
        shaped = JsonResponse(error_body(code), status=response.status_code)
        if "Allow" in response:
            shaped["Allow"] = response["Allow"]
        return shaped

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not request.path.startswith(API_PREFIX) or isinstance(exception, _HANDLED_BY_DJANGO):
            return None
        log.exception("unhandled error on %s", request.path, exc_info=exception)
        return JsonResponse(error_body("internal"), status=500)


def _has_shape(response: HttpResponse) -> bool:
    try:
        body = json.loads(response.content)
    except (ValueError, AttributeError):
        return False
    return isinstance(body, dict) and isinstance(body.get("error"), dict)


class UserTimezoneMiddleware:
    """Times are stored in UTC and shown in the signed-in user's own zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = getattr(user, "time_zone", "") if user is not None else ""
        if zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(zone))
            except zoneinfo.ZoneInfoNotFoundError:
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


_NUL_MARKS = (b"\x00", b"\\u0000", b"%00")


class RejectNulMiddleware:
    """Text with a NUL character is refused at the door (400): PostgreSQL cannot store it,
    and no field of ours has a use for it. Query strings, JSON and form bodies are checked;
    of a multipart body, the text fields only (files are bytes); raw octet-stream bodies (upload
    chunks) not at all."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "").encode()
        body = b""
        fields_nul = False
        try:
            if request.content_type == "multipart/form-data":  # the files are not text
                fields_nul = any("\x00" in v for vs in request.POST.lists() for v in vs[1])
            elif request.content_type == "application/octet-stream":
                pass  # raw file bytes (an upload's chunk), never read as text
            else:
                body = request.body
        except RequestDataTooBig:
            return self.get_response(request)  # answered 413 further in
        if fields_nul or any(m in part.lower() for part in (query, body) for m in _NUL_MARKS):
            message = "The request contains a NUL character, which no field accepts."
            if request.path.startswith(API_PREFIX):
                return JsonResponse(error_body("bad-request", message), status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


class TextCompression(GZipMiddleware):
    """Pages, JSON and text exports gzip-compressed for slow links; never files (evidence is
    already compressed, and its downloads answer byte ranges) nor anything but a 200."""

    TEXT = ("text/", "application/json", "application/geo+json", "application/jsonl")

    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        kind = response.get("Content-Type", "")
        if response.status_code != 200 or not kind.startswith(self.TEXT):
            return response
        return super().process_response(request, response)
