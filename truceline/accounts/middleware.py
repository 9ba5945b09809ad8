"""The mechanism's people work only with their second factor verified this session."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from truceline.accounts.twofactor import required_for

# Reachable before the second factor: setting it up, signing out, and what is not a page.
OPEN_PREFIXES = ("/account/two-factor/", "/signout/", "/static/", "/healthz", "/api/")


class SecondFactorRequired:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            user.is_authenticated
            and required_for(user)
            and not user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not request.path.startswith(OPEN_PREFIXES)
        ):
            return redirect("accounts:two-factor")
        return self.get_response(request)
