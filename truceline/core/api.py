"""The API's conventions, shared by every router: auth, errors, pagination."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Generic, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security.base import AuthBase
from ninja.utils import check_csrf
from pydantic import Field, WithJsonSchema

from truceline.accounts.services import request_token_user
from truceline.core.errors import CODES, ApiError, error_body, render_path
from truceline.policy.factors import second_factor_pending

T = TypeVar("T")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class ErrorDetail(Schema):
    code: str = Field(description="Stable machine-readable code; see docs/api.md")
    message: str
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages keyed by the JSON path of the bad input"
    )


class ErrorOut(Schema):
    error: ErrorDetail


def errors(*statuses: int) -> dict[int, type[ErrorOut]]:
    """The error responses an operation declares in the OpenAPI document."""
    return {status: ErrorOut for status in statuses}


class Page(Schema, Generic[T]):
    items: list[T]
    count: int


def one_of(values: Iterable[str]) -> Any:
    """For ``Annotated[str, one_of(Model.Choices.values)]``: an answer's field whose values are
    a model's choices, listed as the enum of its schema (the value stays a plain string)."""
    return WithJsonSchema({"type": "string", "enum": list(values)})


BINARY = {"type": "string", "format": "binary"}


def file_answer(description: str, *media_types: str) -> dict[str, Any]:
    """``openapi_extra`` of an operation whose success answer is a file, not JSON (its
    ``response`` declares ``200: None``): the media types it comes in (text, or bytes)."""
    content = {
        t: {"schema": {"type": "string"} if t.startswith("text/") else BINARY} for t in media_types
    }
    return {"responses": {200: {"description": description, "content": content}}}


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0, le=2**31 - 1)  # beyond, databases overflow (found by fuzzing)


def paginate(
    qs: QuerySet[Any],
    params: PageParams,
    shape: Callable[[Any], Any] | None = None,
    prepare: Callable[[list[Any]], None] | None = None,
) -> dict[str, Any]:
    """``{"items", "count"}`` for one page of a queryset, each item through ``shape``;
    ``prepare`` sees the page's rows first, to read what they share at once (not per row)."""
    page = list(qs[params.offset : params.offset + params.limit])
    if prepare is not None:
        prepare(page)
    return {"items": [shape(x) for x in page] if shape else page, "count": qs.count()}


class BearerAuth(AuthBase):
    """``Authorization: Bearer <token>``. Optional mode lets anonymous callers through, but a
    token that is present and wrong is always a 401, never silently anonymous."""

    openapi_type = "http"
    openapi_scheme = "bearer"

    def __init__(self, *, required: bool) -> None:
        self.required = required
        super().__init__()

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header:
            if self.required:
                return None
            request.user = AnonymousUser()
            return request.user
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            raise AuthenticationError()
        user = request_token_user(request, raw.strip())
        if user is None:
            raise AuthenticationError()
        request.user = user
        return user


class Bearer(BearerAuth):
    """A token is required."""

    def __init__(self) -> None:
        super().__init__(required=True)


class OptionalBearer(BearerAuth):
    """Anonymous callers welcome; a token, if sent, must be good."""

    def __init__(self) -> None:
        super().__init__(required=False)


class PageOrBearer(OptionalBearer):
    """For calls the site's own pages make from script (the map, the export downloads): with no
    token, the signed-in session's user, else anonymous.

    A session counts only once its second factor is verified (``policy.second_factor_pending``;
    the middleware refuses such a session first, this holds without it), and a session's write
    (any method but GET, HEAD, OPTIONS) only with Django's CSRF token, as a page's form would
    carry: ninja exempts its views from the CSRF middleware, so the check is made here."""

    def __call__(self, request: HttpRequest) -> Any:
        user = request.user
        if request.headers.get("Authorization") or not user.is_authenticated or not user.is_active:
            return super().__call__(request)
        if second_factor_pending(user):
            raise AuthenticationError()
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise ApiError(
                "forbidden", gettext("A write from a signed-in page carries its CSRF token.")
            )
        return user


def actor_of(request: HttpRequest) -> Any:
    """The signed-in user behind a request that passed ``Bearer()`` (services take a User)."""
    user = request.user
    assert user.is_authenticated, "actor_of() on an endpoint without Bearer()"
    return user


def _validation_fields(errs: list[dict[str, Any]]) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for err in errs:
        loc = tuple(err.get("loc", ()))
        # ninja's loc starts with the source and, for bodies, the parameter name.
        if loc and loc[0] == "body":
            loc = loc[2:] if len(loc) > 1 else ()
        elif loc and loc[0] in {"query", "path", "header", "form", "file", "cookie"}:
            loc = loc[1:]
        fields.setdefault(render_path(loc) or "$", []).append(str(err.get("msg", "invalid")))
    return fields


def install_error_handlers(api: NinjaAPI) -> None:
    """Every error the API can raise leaves in the one shape."""

    def shaped(request: HttpRequest, body: dict[str, Any], status: int) -> HttpResponse:
        return api.create_response(request, body, status=status)

    @api.exception_handler(ApiError)
    def on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
        return shaped(request, exc.body(), exc.status)

    @api.exception_handler(ValidationError)
    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        return shaped(request, error_body("invalid", fields=_validation_fields(exc.errors)), 422)

    @api.exception_handler(AuthenticationError)
    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        response = shaped(request, error_body("unauthenticated"), 401)
        response["WWW-Authenticate"] = 'Bearer realm="truceline"'
        return response

    @api.exception_handler(HttpError)
    def on_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
        code = next((c for c, (s, _m) in CODES.items() if s == exc.status_code), "bad-request")
        return shaped(request, error_body(code), exc.status_code)

    @api.exception_handler(Http404)
    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return shaped(request, error_body("not-found"), 404)
