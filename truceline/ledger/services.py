"""Writing to the event log. Only services call this, inside their own transaction."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from truceline.core.canonical import canonical_bytes
from truceline.ledger.models import Event, LogHead


class NotInTransaction(RuntimeError):
    """event_append was called outside the transaction of the change it records."""


def _in_caller_transaction() -> bool:
    """Whether some code of ours opened a transaction around this call.

    The test suite wraps each test in a transaction of its own (marked ``_from_testcase`` by
    Django), which must not count: a service that forgot its ``atomic()`` must fail in tests
    exactly as it would in production.
    """
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def event_append(
    *,
    actor: AbstractBaseUser | None,
    kind: str,
    object_type: str,
    object_id: str,
    payload: dict[str, Any],
) -> Event:
    """Append one event in the caller's transaction; the caller's change and its record
    commit together or not at all."""
    if not _in_caller_transaction():
        raise NotInTransaction("event_append must run inside the service's transaction")
    head = LogHead.objects.select_for_update().get(pk=1)
    head.size += 1
    head.save(update_fields=["size"])
    label = actor.get_username() if actor is not None else "system"
    return Event.objects.create(
        seq=head.size,
        recorded_at=timezone.now(),
        actor=actor,  # type: ignore[misc]  # the project's User model
        actor_label=label,
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        payload=canonical_bytes(payload).decode("utf-8"),
        salt=secrets.token_hex(32),
    )


def events_for(object_type: str, object_id: str) -> list[Event]:
    """The events of one object, oldest first."""
    return list(Event.objects.filter(object_type=object_type, object_id=object_id).order_by("seq"))
