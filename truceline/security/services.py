"""Recording what the security review needs, and the emergency switch."""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.mail import send_mail
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import Role, User
from truceline.accounts.services import request_bearer_user, user_sessions_end
from truceline.core.clientip import client_address
from truceline.ledger.services import event_append
from truceline.security.models import Kind, SecurityEvent

log = logging.getLogger("truceline.security")

current_request: ContextVar[Any] = ContextVar("truceline_request", default=None)


def _request_fields() -> dict[str, Any]:
    """Method, path and address of the request being answered (set by the middleware)."""
    request = current_request.get()
    if request is None:
        return {}
    return {
        "method": request.method or "",
        "path": request.get_full_path()[:2048],
        "address": client_address(request) or None,
    }


def _keep(fields: dict[str, Any], what: str) -> None:
    """Write a security event in its own savepoint: one recorded inside a transaction that
    rolls back still leaves the log line before it, and a failure to record never turns the
    answer (a 404, a 429) into a 500."""
    try:
        with transaction.atomic():
            SecurityEvent.objects.create(**fields)
    except DatabaseError:
        log.exception("could not record %s", what)


def record_denial(user: Any, model: type[models.Model], lookup: dict[str, Any]) -> None:
    """The policy answered 404: who asked for what, when, and whether it exists. A hidden
    object and a missing one take this same path (one query, one write), so that neither the
    queries nor the time of the answer tell the requester which it was (docs/security.md, No
    existence oracles)."""
    exists = model._default_manager.filter(**lookup).exists()
    object_id = ",".join(str(v) for v in lookup.values())[:200]
    authenticated = getattr(user, "is_authenticated", False)
    fields = {
        "kind": Kind.DENIED if exists else Kind.MISSING,
        "user": user if authenticated else None,
        "username": user.get_username() if authenticated else "",
        "object_type": model._meta.label_lower,
        "object_id": object_id,
        **_request_fields(),
    }
    log.warning(
        "%s: %s asked for %s %s",
        "access refused" if exists else "no such object",
        fields["username"] or "anonymous",
        fields["object_type"],
        object_id,
    )
    _keep(fields, "the refusal")


def record_rate_limited(request: Any, rule: str, limit: int, period: int) -> None:
    """A client went over a rate limit (recorded once per window, not once per request)."""
    user = request_bearer_user(request)  # looked up already: the count was keyed on it
    fields = {
        "kind": Kind.RATE_LIMITED,
        "user": user,
        "username": user.get_username() if user is not None else "",
        "detail": {"rule": rule, "limit": limit, "seconds": period},
        **_request_fields(),
    }
    log.warning("rate limit %s reached: %s %s", rule, fields.get("address"), fields["username"])
    _keep(fields, "the rate limit")


def on_locked_out(
    sender: object, request: Any = None, username: str = "", ip_address: str = "", **kwargs: Any
) -> None:
    """django-axes locked a username out at an address: record it and tell the admins."""
    user = User.objects.filter(username=username).first()
    SecurityEvent.objects.create(
        kind=Kind.LOCKOUT,
        user=user,
        username=username[:150],
        address=ip_address or None,
        path=getattr(request, "path", "")[:2048],
        method=getattr(request, "method", "") or "",
    )
    log.warning("sign-in locked out: %s from %s", username, ip_address)
    from truceline.policy import audience

    admins = list(audience(Role.ADMIN).exclude(email="").values_list("email", flat=True))
    if admins:
        send_mail(
            f"[Truceline] sign-in locked out: {username}",
            f"Too many failed sign-ins for {username!r} from {ip_address} at "
            f"{timezone.now():%Y-%m-%d %H:%M} UTC. The pair is locked out for "
            f"{settings.AXES_COOLOFF_TIME} h. Review: /admin/security/securityevent/",
            None,
            admins,
            fail_silently=True,
        )


def emergency_revoke(
    *, actor: AbstractBaseUser | None, users: models.QuerySet[User], reason: str
) -> dict[str, int]:
    """Every session and every API token of these users stops working now (a laptop seized
    at a checkpoint). Sessions: the session epoch moves, so every session's hash is stale at
    its next request; tokens: revoked. One ledger entry per person, and one review entry."""
    if not reason.strip():
        from truceline.core.errors import Invalid

        raise Invalid({"reason": [gettext("say why (it goes on the record)")]})
    counts = {"users": 0, "tokens": 0}
    with transaction.atomic():
        for user in users.select_for_update().order_by("pk"):
            revoked = user_sessions_end(user)
            event_append(
                actor=actor,
                kind="user.emergency-revoked",
                object_type="user",
                object_id=user.username,
                payload={"username": user.username, "tokens": revoked, "reason": reason},
            )
            SecurityEvent.objects.create(
                kind=Kind.REVOKED,
                user=user,
                username=user.username,
                object_type="accounts.user",
                object_id=user.username,
                detail={
                    "tokens": revoked,
                    "reason": reason,
                    "by": actor.get_username() if actor else "command line",
                },
            )
            counts["users"] += 1
            counts["tokens"] += revoked
    return counts
