"""Making notifications, delivering them, and each person's settings for them.

``notify`` runs inside the transaction of the event that caused it; its delivery tasks are
rows in the same database, so they exist if and only if the event committed. Delivery runs
in ``truceline worker``: an email through Django's mail API, a webhook as a signed POST.

Webhook signature (docs/notifications.md): headers ``Truceline-Timestamp: T`` (Unix seconds)
and ``Truceline-Signature: v1=HEX`` where HEX is HMAC-SHA256(secret, "T." + body); receivers
recompute it and refuse a timestamp older than a few minutes. ``Truceline-Delivery`` is the
delivery's id, the same on every retry, so a receiver can drop duplicates.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core import outbound
from truceline.core.errors import ApiError, Invalid
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

log = logging.getLogger(__name__)

# What the delivery log says of a try that had no answer, whatever the reason.
FAILED = "failed"


def notify(
    users: Iterable[User],
    *,
    kind: str,
    subject: str,
    body: str,
    obj: models.Model,
    url: str,
    event: Event | None = None,
) -> list[Notification]:
    """One notification per person who may see ``obj``, with a delivery per channel they
    chose, all in one transaction; the actor of the event is not told of their own act."""
    from truceline.notify.tasks import deliver
    from truceline.policy import can

    made = []
    now = timezone.now()
    seen: set[int] = set()
    with transaction.atomic():
        for user in users:
            if user.pk in seen or (event is not None and event.actor_id == user.pk):
                continue
            seen.add(user.pk)
            if not can(user, "view", obj):
                continue
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
            for delivery in _deliveries(note):
                delivery.save()
                deliver.enqueue(delivery.pk)
            made.append(note)
    return made


def _deliveries(note: Notification) -> list[Delivery]:
    """A delivery per channel the person chose for this kind (email, unless turned off; each
    of their live webhooks, unless turned off)."""
    pref = Preference.objects.filter(user_id=note.user_id, kind=note.kind).first()
    out = []
    if pref is None or pref.email:
        out.append(Delivery(notification=note, channel=Channel.EMAIL))
    if pref is None or pref.webhook:
        for hook in Webhook.objects.filter(user_id=note.user_id, revoked_at__isnull=True):
            out.append(Delivery(notification=note, channel=Channel.WEBHOOK, webhook=hook))
    return out


def payload_of(note: Notification) -> dict[str, Any]:
    """What a webhook receives: what happened and where to look, never the record itself."""
    return {
        "id": note.public_id,
        "kind": note.kind,
        "subject": note.subject,
        "text": note.body,
        "object": {"type": note.object_type, "id": note.object_id},
        "url": settings.TRUCELINE_SITE_URL.rstrip("/") + note.url,
        "ledger_entry": note.event_seq,
        "created_at": note.created_at.isoformat(),
    }


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
