"""Making notifications, delivering them, and each person's settings for them.

``notify`` runs in ``truceline worker``, after the event's commit: the event left an outbox
row (``outbox.py``), and draining it calls the rules, which call ``notify``; the
notifications, their deliveries and their delivery tasks are written in the transaction that
marks the row processed. Delivery runs in the worker too: an email through Django's mail API,
a webhook as a signed POST.

Webhook signature (docs/notifications.md): headers ``Truceline-Timestamp: T`` (Unix seconds)
and ``Truceline-Signature: v1=HEX`` where HEX is HMAC-SHA256(secret, "T." + body); receivers
recompute it and refuse a timestamp older than a few minutes. ``Truceline-Delivery`` is the
delivery's id, the same on every retry, so a receiver can drop duplicates.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
import time
import zoneinfo
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core import moments, outbound
from truceline.core.errors import ApiError, Invalid
from truceline.core.languages import language_of
from truceline.ledger.models import Event
from truceline.ledger.services import event_append
from truceline.notify.models import (
    Attempt,
    Channel,
    Delivery,
    DeliveryState,
    Kind,
    Notification,
    Preference,
    Webhook,
)
from truceline.notify.outputs import notification_fields

log = logging.getLogger(__name__)

# What the delivery log says of a try that had no answer, whatever the reason.
FAILED = "failed"


@dataclass(frozen=True)
class Message:
    """What a notification says, kept as its msgids and values until it is written for one
    reader, so that each recipient reads it in their own language, with every time in their
    own zone and in UTC. Mark the msgids with ``gettext_noop`` so the catalogues carry them;
    values may be lazy labels (translated when written) and datetimes."""

    subject: str
    body: str
    values: Mapping[str, object] = field(default_factory=dict)

    def render(self) -> tuple[str, str]:
        """Subject and body in the active language and zone."""
        shown = {key: _shown(value) for key, value in self.values.items()}
        return gettext(self.subject) % shown, gettext(self.body) % shown


def _shown(value: object) -> str:
    if isinstance(value, dt.datetime):  # a moment both sides must agree on: local and UTC
        local = moments.shown(value)  # as the |moment_utc filter shows it on pages
        utc = value.astimezone(dt.UTC)
        return local if local.endswith(" UTC") else f"{local} ({utc:%Y-%m-%d %H:%M} UTC)"
    return str(value)


@contextlib.contextmanager
def written_for(user: User) -> Iterator[None]:
    """The recipient's own language and zone, for what is written to them inside."""
    language = language_of(user) or settings.LANGUAGE_CODE
    try:
        zone: dt.tzinfo = zoneinfo.ZoneInfo(user.time_zone) if user.time_zone else dt.UTC
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = dt.UTC
    with translation.override(language), timezone.override(zone):
        yield


def notify(
    users: Iterable[User],
    *,
    kind: str,
    text: Message,
    obj: models.Model,
    url: str,
    event: Event | None = None,
) -> list[Notification]:
    """One notification per person who may see ``obj`` (the compartment policy decides, for
    each of them), written in their language and zone, with a delivery per channel they
    chose, all in one transaction; the actor of the event is not told of their own act.

    Runs in the worker (the outbox's drain, the reminders), never in the event's request."""
    from truceline.notify.tasks import deliver
    from truceline.policy import can

    recipients: dict[int, User] = {}
    for user in users:
        if user.pk in recipients or (event is not None and event.actor_id == user.pk):
            continue
        recipients[user.pk] = user
    told = [user for user in recipients.values() if can(user, "view", obj)]
    if not told:
        return []
    chosen, hooks = _channels([user.pk for user in told], kind)
    made = []
    now = timezone.now()
    with transaction.atomic():
        for user in told:
            with written_for(user):
                subject, body = text.render()
            note = Notification.objects.create(
                user=user,
                kind=kind,
                subject=subject[:200],
                body=body,
                object_type=obj._meta.model_name or "",
                object_id=str(obj.pk),
                url=url,
                event_seq=event.seq if event is not None else None,
                created_at=now,
            )
            pref = chosen.get(user.pk)
            deliveries = []
            if pref is None or pref.email:
                deliveries.append(Delivery(notification=note, channel=Channel.EMAIL))
            if pref is None or pref.webhook:
                deliveries += [
                    Delivery(notification=note, channel=Channel.WEBHOOK, webhook=hook)
                    for hook in hooks.get(user.pk, [])
                ]
            for delivery in deliveries:
                delivery.save()
                deliver.enqueue(delivery.pk)
            made.append(note)
    return made


def _channels(
    user_ids: list[int], kind: str
) -> tuple[dict[int, Preference], dict[int, list[Webhook]]]:
    """Each person's choice for this kind (none stored: email and webhooks on) and their live
    webhooks: two reads for all the recipients together."""
    chosen = {p.user_id: p for p in Preference.objects.filter(user_id__in=user_ids, kind=kind)}
    hooks: dict[int, list[Webhook]] = {}
    for hook in Webhook.objects.filter(user_id__in=user_ids, revoked_at__isnull=True).order_by(
        "id"
    ):
        hooks.setdefault(hook.user_id, []).append(hook)
    return chosen, hooks


def payload_of(note: Notification) -> dict[str, Any]:
    """What a webhook receives: the notification's fields, its URL on the site's address."""
    fields = notification_fields(note)
    fields["url"] = settings.TRUCELINE_SITE_URL.rstrip("/") + note.url
    fields["created_at"] = note.created_at.isoformat()
    return fields


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def attempt(delivery_id: int) -> bool | None:
    """Try a delivery once and log the try. True: delivered (or nothing to do); False: failed,
    worth another try; None: failed for good (no more attempts).

    The log tells the webhook's owner the status code of an answer, or "failed" when there was
    none (an address refused, a connection refused, a timeout): never the error's text or the
    time taken, which would tell someone probing the server's network what is there. The
    details go to the server's log for its operators."""
    delivery = Delivery.objects.select_related("notification__user", "webhook").get(pk=delivery_id)
    if delivery.state != DeliveryState.PENDING:
        return True
    note = delivery.notification
    started = timezone.now()
    ok, code, error = False, None, ""
    if delivery.channel == Channel.EMAIL:
        if not note.user.email:
            delivery.state = DeliveryState.SKIPPED
            delivery.save(update_fields=["state"])
            return True
        try:
            link = settings.TRUCELINE_SITE_URL.rstrip("/") + note.url
            send_mail(note.subject, f"{note.body}\n\n{link}\n", None, [note.user.email])
            ok = True
        except Exception as exc:  # a mail server's failure is logged and retried
            log.warning("email delivery %s failed: %s: %s", delivery.pk, type(exc).__name__, exc)
            error = FAILED
    else:
        assert delivery.webhook is not None
        body = json.dumps(payload_of(note), sort_keys=True, separators=(",", ":")).encode()
        now = int(time.time())
        try:
            answer = outbound.request(
                "POST",
                delivery.webhook.url,
                body=body,
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "Truceline-Webhook/1",
                    "Truceline-Delivery": delivery.public_id,
                    "Truceline-Timestamp": str(now),
                    "Truceline-Signature": sign(delivery.webhook.secret, now, body),
                },
                timeout=settings.TRUCELINE_WEBHOOK_TIMEOUT,
                max_bytes=0,  # the status is the answer; a redirect is not followed
            )
        except outbound.OutboundError as exc:
            log.warning(
                "webhook %s delivery %s failed: %s (%r)",
                delivery.webhook.pk,
                delivery.pk,
                exc,
                exc.__cause__,
            )
            error = FAILED
        else:
            code = answer.status
            ok = 200 <= code < 300
    with transaction.atomic():
        current = Delivery.objects.select_for_update().get(pk=delivery.pk)
        current.attempts += 1
        Attempt.objects.create(delivery=current, at=started, ok=ok, status_code=code, error=error)
        if ok:
            current.state = DeliveryState.DELIVERED
            current.delivered_at = timezone.now()
        elif current.attempts >= settings.TRUCELINE_WEBHOOK_ATTEMPTS:
            current.state = DeliveryState.FAILED
        current.save(update_fields=["attempts", "state", "delivered_at"])
    if ok:
        return True
    return None if current.state == DeliveryState.FAILED else False


# --- a person's settings -----------------------------------------------------------------------


def preferences(user: User) -> list[dict[str, Any]]:
    stored = {p.kind: p for p in Preference.objects.filter(user=user)}
    out = []
    for kind, label in Kind.choices:
        p = stored.get(kind)
        out.append(
            {
                "kind": kind,
                "label": str(label),
                "email": p.email if p else True,
                "webhook": p.webhook if p else True,
            }
        )
    return out


def preferences_set(*, actor: User, choices: dict[str, dict[str, bool]]) -> list[dict[str, Any]]:
    """Set email and webhook on or off per kind; kinds not named keep their setting."""
    unknown = [k for k in choices if k not in Kind.values]
    if unknown:
        raise Invalid({k: [f"one of {', '.join(Kind.values)}"] for k in unknown})
    with transaction.atomic():
        for kind, choice in choices.items():
            Preference.objects.update_or_create(
                user=actor,
                kind=kind,
                defaults={"email": bool(choice["email"]), "webhook": bool(choice["webhook"])},
            )
        event_append(
            actor=actor,
            kind="notify.preferences",
            object_type="user",
            object_id=actor.get_username(),  # the actor's own name, already the entry's actor
            payload={"choices": {k: dict(v) for k, v in sorted(choices.items())}},
        )
    return preferences(actor)


def webhook_create(*, actor: User, url: str) -> tuple[Webhook, str]:
    """A new receiver for the actor's notifications; the secret is returned this once."""
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise Invalid({"url": [gettext("an http:// or https:// address")]}) from exc
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise Invalid({"url": [gettext("an http:// or https:// address")]})
    if parts.scheme == "http" and settings.HTTPS:
        raise Invalid({"url": [gettext("an https:// address")]})
    try:  # checked again at each delivery: names change
        outbound.check(url)
    except outbound.Refused as exc:
        raise Invalid({"url": [str(exc)]}) from exc
    if Webhook.objects.filter(user=actor, revoked_at__isnull=True).count() >= 5:
        raise ApiError("conflict", gettext("At most 5 webhooks per person; revoke one first."))
    secret = secrets.token_hex(32)
    with transaction.atomic():
        hook = Webhook.objects.create(
            user=actor, url=url.strip(), secret=secret, created_at=timezone.now()
        )
        event_append(
            actor=actor,
            kind="webhook.created",
            object_type="webhook",
            object_id=hook.public_id,
            payload={"url": hook.url},
        )
    return hook, secret


def webhook_revoke(*, actor: User, hook: Webhook) -> Webhook:
    with transaction.atomic():
        current = Webhook.objects.select_for_update().get(pk=hook.pk)
        if current.revoked_at is not None:
            raise ApiError("conflict", gettext("Revoked already."))
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at"])
        event_append(
            actor=actor,
            kind="webhook.revoked",
            object_type="webhook",
            object_id=current.public_id,
            payload={"url": current.url},
        )
    return current
