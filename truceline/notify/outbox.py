"""The outbox: what the ledger's events set in motion (notifications, reminders), worked out
by the worker after the event's commit instead of inside the request that made it.

``record`` listens to every ledger append and runs in the event's transaction: for an event
a rule reacts to (``rules.HANDLERS``) it writes one outbox row and queues one drain task,
two inserts and no reads, so both commit with the change or vanish with its rollback.
``drain`` runs in ``truceline worker``: per row, in one transaction, it claims the row, runs
the event's rule (recipients, the policy for each, the text in each reader's language and
zone, the deliveries and their tasks) and marks the row processed. A crash anywhere in that
transaction rolls all of it back and the row stays pending; a row processed is never drained
again. Several workers may drain at once: a row one of them holds is skipped by the others
(PostgreSQL: SKIP LOCKED; SQLite's IMMEDIATE transactions serialise the writers). Rows are
records, never deleted (migration notify/0005 refuses DELETE).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from truceline.ledger.models import Event
from truceline.notify.models import Outbox

log = logging.getLogger(__name__)

# Failed drains of one row before it is left for an operator (each failure is logged).
ATTEMPTS = 5
# Rows one drain task works through before it queues the next one.
BATCH = 200
# Wait before rows that failed are tried again.
RETRY = dt.timedelta(seconds=30)

_INSERT = "INSERT INTO notify_outbox (event_id, processed_at, attempts) VALUES (%s, NULL, 0)"


def record(event: Event, payload: dict[str, Any]) -> None:
    """The listener of ``ledger.services.event_append``, in the event's transaction: one
    outbox row for an event a rule reacts to, and a drain task; nothing is read here."""
    from truceline.notify import rules, tasks

    if event.kind not in rules.HANDLERS:
        return
    with connection.cursor() as cursor:  # plain SQL: it runs on the intake's hot path
        cursor.execute(_INSERT, [event.seq])
    tasks.drain.enqueue()


@dataclass(frozen=True)
class Drained:
    done: int
    failed: int
    more: bool  # rows were left for the next drain (a full batch)


def drain(*, limit: int = BATCH) -> Drained:
    """Work through the pending rows, oldest first, each in a transaction of its own."""
    from truceline.notify import rules

    pending = list(
        Outbox.objects.filter(processed_at__isnull=True, attempts__lt=ATTEMPTS)
        .order_by("event_id")
        .values_list("event_id", flat=True)[:limit]
    )
    done = failed = 0
    for seq in pending:
        try:
            with transaction.atomic():
                row = (
                    Outbox.objects.select_for_update(skip_locked=True)
                    .filter(pk=seq, processed_at__isnull=True)
                    .first()
                )
                if row is None:  # another worker holds it, or has processed it
                    continue
                event = Event.objects.select_related("actor").get(seq=seq)
                rules.on_event(event, json.loads(event.payload))
                row.processed_at = timezone.now()
                row.save(update_fields=["processed_at"])
        except Exception:  # the row stays pending, tried again later; the others go on
            attempts = _failed(seq)
            log.exception("outbox: event %s not drained (%s of %s tries)", seq, attempts, ATTEMPTS)
            failed += 1
        else:
            done += 1
    return Drained(done=done, failed=failed, more=len(pending) == limit)


def _failed(seq: int) -> int:
    with transaction.atomic():
        Outbox.objects.filter(pk=seq).update(attempts=F("attempts") + 1)
        return Outbox.objects.values_list("attempts", flat=True).get(pk=seq)


def retry_after(drained: Drained) -> dt.datetime | None:
    """When the next drain should run by itself: now for a batch left over, after a pause for
    rows that failed, never when all is done (the next event queues its own)."""
    if drained.more:
        return timezone.now()
    if drained.failed:
        return timezone.now() + RETRY
    return None


def ensure_draining() -> None:
    """A worker starting queues a drain if rows wait (their own drain task was lost: a worker
    killed while running it)."""
    from truceline.notify import tasks

    if Outbox.objects.filter(processed_at__isnull=True, attempts__lt=ATTEMPTS).exists():
        tasks.drain.enqueue()
