"""The mechanism's people work only with their second factor verified this session.

A session whose second factor is pending (policy.second_factor_pending: a monitor, signatory
or admin who has none yet, or signed in by password alone) reaches nothing but setting one up
and signing out: every page sends it to /account/two-factor/ (enrolment first for one who has
none), and the API answers it 401 whatever the endpoint, public ones included. A request with
an API token is the token's, not the session's: the API's auth decides (core/api.py).
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from truceline.core.errors import error_body
from truceline.core.middleware import API_PREFIX
from truceline.policy.factors import second_factor_pending

# Reachable before the second factor: setting it up, signing out, and what is not data.
OPEN_PREFIXES = ("/account/two-factor/", "/signout/", "/static/", "/healthz")

PENDING_MESSAGE = (
    "This session has not verified its second factor: sign in with your authentication code "
    "(or set up an authenticator at /account/two-factor/), or send an API token."
)


class SecondFactorRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not second_factor_pending(request.user) or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        if request.path.startswith(API_PREFIX):
            if request.headers.get("Authorization"):
                return self.get_response(request)  # the token's request, not the session's
            response = JsonResponse(error_body("unauthenticated", PENDING_MESSAGE), status=401)
            response["WWW-Authenticate"] = 'Bearer realm="truceline"'
            return response
        return redirect("accounts:two-factor")
