"""Writing to the event log and its ledger. Only services call ``event_append``, inside their
own transaction: the change, its event, its leaf and the tree's new nodes commit together.

An append costs O(log n) whatever the log's size: one event row, one leaf, on average two
perfect-subtree hashes, and the frontier kept in the locked head row. A checkpoint is signed
in the same transaction once ``TRUCELINE_CHECKPOINT_ENTRIES`` entries wait or the oldest
waiting entry is ``TRUCELINE_CHECKPOINT_SECONDS`` old; readers of the checkpoint make the
timely one when no append came to make it.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import functools
import secrets
from collections.abc import Callable, Iterator
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.core.canonical import canonical_bytes
from truceline.core.errors import ApiError
from truceline.ledger import kinds, merkle, notes
from truceline.ledger.keys import current_log_key, decrypt_private, log_key_create
from truceline.ledger.leaves import EventRecord, time_text
from truceline.ledger.models import (
    Checkpoint,
    Cosignature,
    Event,
    KeyPurpose,
    LedgerKey,
    LogHead,
    SplitView,
)


class NotInTransaction(RuntimeError):
    """event_append was called outside the transaction of the change it records."""


def _in_caller_transaction() -> bool:
    """Whether some code of ours opened a transaction around this call.

    The test suite wraps each test in a transaction of its own (marked ``_from_testcase`` by
    Django), which must not count: a service that forgot its ``atomic()`` must fail in tests
    exactly as it would in production.
    """
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def record_of(event: Event) -> EventRecord:
    return EventRecord(
        seq=event.seq,
        time=time_text(event.recorded_at),
        actor=event.actor_label,
        kind=event.kind,
        object_type=event.object_type,
        object_id=event.object_id,
        payload=event.payload,
        salt=event.salt,
    )


_captured: contextvars.ContextVar[list[Event] | None] = contextvars.ContextVar(
    "ledger_captured", default=None
)


@contextlib.contextmanager
def capture_events() -> Iterator[list[Event]]:
    """The events appended inside the block, in order: how an endpoint finds the entry its
    service call made, to hand back its receipt."""
    events: list[Event] = []
    token = _captured.set(events)
    try:
        yield events
    finally:
        _captured.reset(token)


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return value.replace(tzinfo=dt.UTC)  # SQLite's driver answers naive UTC


def _locked_head() -> LogHead:
    """The head row, locked until the transaction ends (PostgreSQL: FOR UPDATE; SQLite's
    IMMEDIATE transactions hold the write lock already)."""
    sql = "SELECT size, frontier, checkpoint_size, pending_since FROM ledger_loghead WHERE id = 1"
    if connection.features.has_select_for_update:
        sql += " FOR UPDATE"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        size, frontier, checkpoint_size, pending = cursor.fetchone()
    head = LogHead(
        id=1,
        size=size,
        frontier=bytes(frontier),
        checkpoint_size=checkpoint_size,
        pending_since=_aware(pending),
    )
    head._state.adding = False
    return head


_INSERT_EVENT = (
    "INSERT INTO ledger_event (seq, recorded_at, actor_id, actor_label, kind, object_type,"
    " object_id, payload, salt) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _append_locked(
    head: LogHead,
    *,
    actor: AbstractBaseUser | None,
    kind: str,
    object_type: str,
    object_id: str,
    payload: dict[str, Any],
) -> Event:
    """The append itself, in plain SQL: it runs for every accepted change, so it costs a
    handful of statements and no model machinery."""
    event = Event(
        seq=head.size + 1,
        recorded_at=timezone.now(),
        actor=actor,  # type: ignore[misc]  # the project's User model
        actor_label=actor.get_username() if actor is not None else "system",
        kind=kind,
        object_type=object_type,
        object_id=object_id,
        payload=canonical_bytes(payload).decode("utf-8"),
        salt=secrets.token_hex(32),
    )
    event._state.adding = False
    event._state.db = connection.alias
    leaf = record_of(event).leaf()
    frontier = merkle.unpack(bytes(head.frontier))
    made = merkle.frontier_append(frontier, head.size, merkle.leaf_hash(leaf))
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(
            _INSERT_EVENT,
            [
                event.seq,
                adapt(event.recorded_at),
                actor.pk if actor is not None else None,
                event.actor_label,
                kind,
                object_type,
                object_id,
                event.payload,
                event.salt,
            ],
        )
        cursor.execute(
            'INSERT INTO ledger_entry ("index", leaf) VALUES (%s, %s)', [head.size, leaf]
        )
        cursor.execute(
            "INSERT INTO ledger_node (id, hash) VALUES "  # noqa: S608 (placeholders only)
            + ", ".join(["(%s, %s)"] * len(made)),
            [value for pair in made for value in pair],
        )
        head.size += 1
        head.frontier = merkle.pack(frontier)
        if head.pending_since is None:
            head.pending_since = event.recorded_at
        cursor.execute(
            "UPDATE ledger_loghead SET size = %s, frontier = %s, pending_since = %s WHERE id = 1",
            [head.size, head.frontier, adapt(head.pending_since)],
        )
    captured = _captured.get()
    if captured is not None:
        captured.append(event)
    return event


Listener = Callable[[Event, dict[str, Any]], None]
_listeners: list[Listener] = []


def listen(listener: Listener) -> None:
    """Call ``listener(event, payload)`` after each append, in the same transaction: what it
    writes (e.g. notifications and their delivery tasks) commits with the event or not at all.
    It must not fail for reasons of its own; an exception rolls the caller's change back."""
    if listener not in _listeners:
        _listeners.append(listener)


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
    kinds.check(kind)  # every kind is in the catalogue (ledger/kinds.py)
    head = _locked_head()
    event = _append_locked(
        head, actor=actor, kind=kind, object_type=object_type, object_id=object_id, payload=payload
    )
    _checkpoint_if_due(head)
    for listener in _listeners:
        listener(event, payload)
    return event


def events_for(object_type: str, object_id: str) -> list[Event]:
    """The events of one object, oldest first."""
    return list(Event.objects.filter(object_type=object_type, object_id=object_id).order_by("seq"))


# --- checkpoints ----------------------------------------------------------------------------


def _due(head: LogHead, now: dt.datetime) -> bool:
    waiting = head.size - head.checkpoint_size
    if waiting <= 0:
        return False
    if waiting >= settings.TRUCELINE_CHECKPOINT_ENTRIES:
        return True
    limit = dt.timedelta(seconds=settings.TRUCELINE_CHECKPOINT_SECONDS)
    return head.pending_since is not None and now - head.pending_since >= limit


def _log_key(head: LogHead) -> LedgerKey:
    key = current_log_key()
    if key is None:  # the first checkpoint of a new log: make its key, on the ledger too
        key = log_key_create(append=lambda **kw: _append_locked(head, **kw))
    return key


@functools.lru_cache(maxsize=8)
def _decrypted(key_id: str, pem: bytes) -> Ed25519PrivateKey:
    return decrypt_private(pem)


def _private_of(key: LedgerKey) -> Ed25519PrivateKey:
    """The log key's private half, decrypted once per process (decryption is deliberately
    slow), never written anywhere decrypted."""
    return _decrypted(key.key_id, bytes(key.private_key))


def _checkpoint_if_due(head: LogHead) -> Checkpoint | None:
    if not _due(head, timezone.now()):
        return None
    return _checkpoint_locked(head)


def _checkpoint_locked(head: LogHead) -> Checkpoint:
    key = _log_key(head)
    root = merkle.frontier_root(merkle.unpack(bytes(head.frontier)))
    body = notes.Checkpoint(settings.TRUCELINE_LEDGER_ORIGIN, head.size, root).body()
    signature = notes.sign_body(body, key.name, _private_of(key))
    checkpoint = Checkpoint.objects.create(
        size=head.size,
        root=root,
        note=notes.join_note(body, [signature]),
        key=key,
        made_at=timezone.now(),
    )
    head.checkpoint_size = head.size
    head.pending_since = None
    head.save(update_fields=["checkpoint_size", "pending_since"])
    return checkpoint


def checkpoint_now() -> Checkpoint | None:
    """Sign a checkpoint of the whole log now, if any entry waits (``truceline ledger
    checkpoint``, the worker)."""
    with transaction.atomic():
        head = _locked_head()
        if head.size == head.checkpoint_size:
            return None
        return _checkpoint_locked(head)


def checkpoint_timely() -> None:
    """Make the checkpoint that is due, for readers: a promise in a receipt ("included in a
    checkpoint within T seconds") holds even when no append comes along to keep it."""
    head = LogHead.objects.get(pk=1)
    if not _due(head, timezone.now()):
        return
    with transaction.atomic():
        _checkpoint_if_due(_locked_head())


# --- cosignatures ---------------------------------------------------------------------------


class SplitViewDetected(ApiError):
    def __init__(self, detail: str) -> None:
        super().__init__("conflict", detail, extra={"split_view": True})


def cosignature_submit(note_text: str) -> list[Cosignature]:
    """A witness posts a checkpoint with its cosignature line(s). Each line from a registered
    witness key that verifies is kept; a checkpoint the log's key signed but the log never
    made (a split view, shown to that witness only) is recorded and refused loudly."""
    try:
        body, sigs = notes.split_note(note_text)
        cp = notes.parse_checkpoint(body)
    except notes.NoteError as exc:
        raise ApiError("invalid", f"Not a signed checkpoint: {exc}.") from exc
    if cp.origin != settings.TRUCELINE_LEDGER_ORIGIN:
        raise ApiError("invalid", gettext("That checkpoint is for another log (origin line)."))
    witnesses = []
    for key in LedgerKey.objects.filter(purpose=KeyPurpose.WITNESS, retired_at__isnull=True):
        sig = notes.find_signature(sigs, key.name, bytes(key.public_key), notes.ALG_COSIGNATURE_V1)
        if sig is not None:
            stamp = notes.verify_cosigned(body, sig, bytes(key.public_key))
            if stamp is None:
                raise ApiError("invalid", f"The cosignature of {key.name} does not verify.")
            witnesses.append((key, sig, stamp))
    if not witnesses:
        raise ApiError("invalid", gettext("No cosignature by a registered witness key."))
    ours = Checkpoint.objects.filter(size=cp.size).first()
    if ours is None or bytes(ours.root) != cp.root:
        log_signed = any(
            (s := notes.find_signature(sigs, k.name, bytes(k.public_key), notes.ALG_ED25519))
            and notes.verify_signed(body, s, bytes(k.public_key))
            for k in LedgerKey.objects.filter(purpose=KeyPurpose.LOG)
        )
        if not log_signed:
            raise ApiError(
                "invalid", gettext("The log's signature on that checkpoint is missing or bad.")
            )
        detail = f"The log's key signed a tree of size {cp.size} that is not this log's " + (
            "(the log never reached that size)." if ours is None else "(different root)."
        )
        with transaction.atomic():
            for key, _sig, _stamp in witnesses:
                SplitView.objects.create(
                    size=cp.size,
                    note=note_text,
                    reported_by=key,
                    detail=detail,
                    reported_at=timezone.now(),
                )
        raise SplitViewDetected(detail)
    made = []
    with transaction.atomic():
        for key, sig, stamp in witnesses:
            cosig, _ = Cosignature.objects.get_or_create(
                checkpoint=ours,
                key=key,
                defaults={
                    "line": sig.line().rstrip("\n"),
                    "signed_at": dt.datetime.fromtimestamp(stamp, tz=dt.UTC),
                    "received_at": timezone.now(),
                },
            )
            made.append(cosig)
    return made
