"""The notifications' answers: what you were told and how it reached you, your settings,
your webhooks and their delivery logs — their schemas and the builders the API calls."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.notify.models import Channel, Delivery, DeliveryState, Kind, Notification, Webhook

NotificationKind = Annotated[str, one_of(Kind.values)]


class ObjectRefOut(Schema):
    type: str
    id: str


class DeliveryStateOut(Schema):
    channel: Annotated[str, one_of(Channel.values)]
    state: Annotated[str, one_of(DeliveryState.values)]
    attempts: int


class NotificationOut(Schema):
    id: str
    kind: NotificationKind
    subject: str
    text: str
    object: ObjectRefOut = Field(description="what the notification is about")
    url: str
    ledger_entry: int | None
    created_at: dt.datetime
    deliveries: list[DeliveryStateOut]


class PreferenceOut(Schema):
    kind: NotificationKind
    label: str
    email: bool
    webhook: bool


class PreferencesOut(Schema):
    items: list[PreferenceOut]


class WebhookOut(Schema):
    id: str
    url: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(description="the signing secret: in this answer only")


class WebhooksOut(Schema):
    items: list[WebhookOut]


class AttemptOut(Schema):
    at: dt.datetime
    ok: bool
    status_code: int | None = Field(description="the receiver's answer; null when there was none")
    error: str = Field(description='"failed" when there was no answer, else empty')


class DeliveryOut(Schema):
    id: str
    notification: str
    kind: NotificationKind
    state: Annotated[str, one_of(DeliveryState.values)]
    attempts: list[AttemptOut]


def notification_fields(note: Notification) -> dict[str, Any]:
    """What happened and where to look, never the record itself: the API's notification, and
    (with the site's address before the URL) the body a webhook receives."""
    return {
        "id": note.public_id,
        "kind": note.kind,
        "subject": note.subject,
        "text": note.body,
        "object": {"type": note.object_type, "id": note.object_id},
        "url": note.url,
        "ledger_entry": note.event_seq,
        "created_at": note.created_at,
    }


def notification_out(note: Notification) -> dict[str, Any]:
    return {
        **notification_fields(note),
        "deliveries": [
            {"channel": d.channel, "state": d.state, "attempts": d.attempts}
            for d in note.deliveries.all()
        ],
    }


def webhook_out(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.public_id,
        "url": hook.url,
        "created_at": hook.created_at,
        "revoked_at": hook.revoked_at,
    }


def webhook_created_out(hook: Webhook, secret: str) -> dict[str, Any]:
    return {**webhook_out(hook), "secret": secret}


def webhooks_out(hooks: Any) -> dict[str, Any]:
    return {"items": [webhook_out(h) for h in hooks]}


def preferences_out(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {"items": items}


def delivery_out(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.public_id,
        "notification": d.notification.public_id,
        "kind": d.notification.kind,
        "state": d.state,
        "attempts": [
            {"at": a.at, "ok": a.ok, "status_code": a.status_code, "error": a.error}
            for a in d.log.all()
        ],
    }
