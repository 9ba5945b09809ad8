"""Keeps the request at hand for the records of refused access (services._request_fields),
and refuses requests over a rate limit (ratelimit.py) before anything else reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from truceline.core.errors import error_body
from truceline.core.middleware import API_PREFIX
from truceline.security import ratelimit
from truceline.security.services import current_request


class CurrentRequest:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)


class RateLimit:
    """429 with Retry-After. Before the idempotency keys: a refused request claims no key, so
    its retry, after the wait, runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        wait = ratelimit.retry_after(request)
        if wait is None:
            return self.get_response(request)
        response: HttpResponse
        if request.path.startswith(API_PREFIX):
            response = JsonResponse(error_body("rate-limited"), status=429)
        else:
            if not hasattr(request, "user"):  # refused before the session was read
                request.user = AnonymousUser()
            response = render(request, "429.html", {"wait": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
