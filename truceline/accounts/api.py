"""Who am I, and my tokens."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router

from truceline.accounts.models import ApiToken
from truceline.accounts.outputs import MeOut, TokenOut, me_out
from truceline.accounts.services import token_revoke
from truceline.core.api import Bearer, Page, PageParams, actor_of, errors, paginate
from truceline.core.errors import Forbidden
from truceline.policy import access_token, can, visible_to

router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **errors(401)}, auth=Bearer(), summary="The caller")
def me(request: HttpRequest) -> dict[str, object]:
    return me_out(request.user)


@router.get(
    "/tokens",
    response={200: Page[TokenOut], **errors(401, 422)},
    auth=Bearer(),
    summary="Tokens the caller may see (its own; an admin sees all)",
)
def tokens_list(request: HttpRequest, page: Query[PageParams]) -> dict[str, object]:
    qs = visible_to(request.user, ApiToken).select_related("user").order_by("-created_at", "id")
    return paginate(qs, page)


@router.post(
    "/tokens/{token_id}/revoke",
    response={200: TokenOut, **errors(401, 403, 404)},
    auth=Bearer(),
    summary="Revoke a token at once (repeating it changes nothing)",
)
def tokens_revoke(request: HttpRequest, token_id: str) -> ApiToken:
    token = access_token(request.user, token_id)
    if not can(request.user, "revoke", token):
        raise Forbidden()
    return token_revoke(actor=actor_of(request), token=token)
