"""/notifications, /webhooks: what you were told, how it reached you, and your settings."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, Page, PageParams, actor_of, errors, paginate
from truceline.notify import services
from truceline.notify.models import Notification, Webhook
from truceline.notify.outputs import (
    DeliveryOut,
    NotificationOut,
    PreferencesOut,
    WebhookCreatedOut,
    WebhookOut,
    WebhooksOut,
    delivery_out,
    notification_out,
    preferences_out,
    webhook_created_out,
    webhook_out,
    webhooks_out,
)
from truceline.policy import access_webhook, visible_to

router = Router(tags=["notifications"])


@router.get(
    "/notifications",
    response={200: Page[NotificationOut], **errors(401, 422)},
    auth=Bearer(),
    summary="Your notifications, newest first, each with how its deliveries went",
    exclude_unset=True,
)
def notifications_list(request: HttpRequest, q: Query[PageParams]) -> dict[str, Any]:
    found = visible_to(request.user, Notification).prefetch_related("deliveries")
    return paginate(found, q, notification_out)


class Choice(Schema):
    model_config = ConfigDict(extra="forbid")
    email: bool
    webhook: bool


class PreferencesIn(Schema):
    model_config = ConfigDict(extra="forbid")
    choices: dict[str, Choice] = Field(max_length=50)


@router.get(
    "/notifications/preferences",
    response={200: PreferencesOut, **errors(401)},
    auth=Bearer(),
    summary="Your choice of channels per kind of notification (email and webhooks by default)",
    exclude_unset=True,
)
def preferences_get(request: HttpRequest) -> dict[str, Any]:
    return preferences_out(services.preferences(actor_of(request)))


@router.post(
    "/notifications/preferences",
    response={200: PreferencesOut, **errors(400, 401, 422)},
    auth=Bearer(),
    summary="Set channels per kind: {choices: {kind: {email, webhook}}}; kinds not named "
    "keep their setting",
    exclude_unset=True,
)
def preferences_post(request: HttpRequest, payload: PreferencesIn) -> dict[str, Any]:
    choices = {k: v.model_dump() for k, v in payload.choices.items()}
    return preferences_out(services.preferences_set(actor=actor_of(request), choices=choices))


class WebhookIn(Schema):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=1, max_length=500)


@router.post(
    "/webhooks",
    response={201: WebhookCreatedOut, **errors(400, 401, 409, 422)},
    auth=Bearer(),
    summary="A receiver for your notifications; the signing secret is in this answer only",
    exclude_unset=True,
)
def webhooks_create(request: HttpRequest, payload: WebhookIn) -> Status:
    hook, secret = services.webhook_create(actor=actor_of(request), url=payload.url)
    return Status(201, webhook_created_out(hook, secret))


@router.get(
    "/webhooks",
    response={200: WebhooksOut, **errors(401)},
    auth=Bearer(),
    summary="Your webhooks (never their secrets)",
    exclude_unset=True,
)
def webhooks_list(request: HttpRequest) -> dict[str, Any]:
    return webhooks_out(visible_to(request.user, Webhook).order_by("id"))


@router.post(
    "/webhooks/{webhook_id}/revoke",
    response={200: WebhookOut, **errors(401, 404, 409)},
    auth=Bearer(),
    summary="Stop deliveries to this webhook",
    exclude_unset=True,
)
def webhooks_revoke(request: HttpRequest, webhook_id: str) -> dict[str, Any]:
    hook = access_webhook(request.user, webhook_id)
    return webhook_out(services.webhook_revoke(actor=actor_of(request), hook=hook))


@router.get(
    "/webhooks/{webhook_id}/deliveries",
    response={200: Page[DeliveryOut], **errors(401, 404, 422)},
    auth=Bearer(),
    summary="The delivery log of one webhook: each delivery with every attempt",
    exclude_unset=True,
)
def webhooks_deliveries(
    request: HttpRequest, webhook_id: str, q: Query[PageParams]
) -> dict[str, Any]:
    hook = access_webhook(request.user, webhook_id)
    found = hook.deliveries.select_related("notification").prefetch_related("log").order_by("-id")
    return paginate(found, q, delivery_out)
