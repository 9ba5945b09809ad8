"""Run a keyed create request once (IETF draft "The Idempotency-Key HTTP Header Field").

- The first request with a key claims it (a committed row with no answer yet), then runs in one
  transaction that also stores its answer: what it created and the stored answer commit
  together, so a crash at any point leaves either both or neither.
- A retry gets the stored answer again, marked ``Idempotent-Replayed: true``.
- A retry while the first is still running gets 409 ``in-flight``.
- The same key with another request (method, path or body) gets 422 ``key-reused``.
- Keys belong to the client that sent them: one party's key names nothing of another's.
- An attempt that died (the server was killed) leaves a claim with no answer; once it is older
  than the lease, a retry takes the claim over, under the row's lock, and runs the request. The
  dead attempt committed nothing, and a slow attempt that still lives holds the lock, so the
  retry waits for it and replays its answer instead.
- Server errors (5xx) and rate-limit refusals (429) are not kept: the claim is released and a
  retry runs afresh.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse, HttpResponseBase, JsonResponse
from django.utils import timezone

from truceline.core.durability import unflushed
from truceline.core.errors import CODES, error_body
from truceline.idempotency.models import IdempotencyKey

Call = Callable[[], HttpResponseBase]


class _Lost(Exception):
    """Another attempt took the key over; this one must not commit."""


def _refusal(code: str) -> JsonResponse:
    """``in-flight`` (409) or ``key-reused`` (422), status and message from the error codes."""
    return JsonResponse(error_body(code), status=CODES[code][0])


def _in_flight() -> JsonResponse:
    return _refusal("in-flight")


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response["Idempotent-Replayed"] = "true"
    if row.location:
        response["Location"] = row.location
    return response


def _kept(response: HttpResponseBase) -> bool:
    return response.status_code < 500 and response.status_code != 429 and not response.streaming


def run_once(
    *, client_id: int, key: str, fingerprint: str, method: str, path: str, call: Call
) -> HttpResponseBase:
    """The answer to a keyed request: the first run's, run now or replayed."""
    attempt = secrets.token_hex(16)
    try:
        # Not flushed: a claim lost in a power cut goes with a request that had not answered
        # (its own transaction, durable, comes after and flushes the claim with it).
        with unflushed():
            row = IdempotencyKey.objects.create(
                client_id=client_id,
                key=key,
                fingerprint=fingerprint,
                method=method,
                path=path[:2048],
                attempt=attempt,
            )
    except IntegrityError:
        return _again(client_id=client_id, key=key, fingerprint=fingerprint, call=call)
    return _execute(row.pk, attempt, call)


def _again(*, client_id: int, key: str, fingerprint: str, call: Call) -> HttpResponseBase:
    row = IdempotencyKey.objects.filter(client_id=client_id, key=key).first()
    if row is None:  # released a moment ago after a server error: the next retry runs afresh
        return _in_flight()
    if row.fingerprint != fingerprint:
        return _refusal("key-reused")
    if row.status is not None:
        return _replay(row)
    lease = dt.timedelta(seconds=settings.TRUCELINE_IDEMPOTENCY_LEASE)
    if timezone.now() - row.started_at < lease:
        return _in_flight()
    attempt = secrets.token_hex(16)
    try:
        with transaction.atomic():
            # Waits here for a slow attempt that still lives (it holds this lock).
            locked = IdempotencyKey.objects.select_for_update().get(pk=row.pk)
            if locked.status is not None:
                return _replay(locked)
            if locked.attempt != row.attempt:
                return _in_flight()  # another retry took it over first
            locked.attempt = attempt
            locked.started_at = timezone.now()
            locked.save(update_fields=["attempt", "started_at"])
    except DatabaseError:  # the lock could not be had in time
        return _in_flight()
    return _execute(row.pk, attempt, call)


def _execute(pk: int, attempt: str, call: Call) -> HttpResponseBase:
    try:
        with transaction.atomic():
            owned = IdempotencyKey.objects.select_for_update().filter(pk=pk, attempt=attempt)
            row = owned.first()
            if row is None:
                raise _Lost
            response = call()
            if _kept(response):
                row.status = response.status_code
                row.content_type = response.get("Content-Type", "")
                row.body = response.content  # type: ignore[attr-defined]
                row.location = response.get("Location", "")[:2048]
                row.completed_at = timezone.now()
                row.save(
                    update_fields=["status", "content_type", "body", "location", "completed_at"]
                )
                return response  # after the commit: the answer is durable with what it made
            transaction.set_rollback(True)
    except _Lost:
        return _in_flight()
    IdempotencyKey.objects.filter(pk=pk, attempt=attempt).delete()
    return response


def prune(now: dt.datetime | None = None) -> int:
    """Forget keys older than TRUCELINE_IDEMPOTENCY_DAYS (answered or abandoned): after that,
    the same key is a new request. What the requests made stays; only the kept answers go."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.TRUCELINE_IDEMPOTENCY_DAYS)
    deleted, _ = IdempotencyKey.objects.filter(started_at__lt=cutoff).delete()
    return deleted
