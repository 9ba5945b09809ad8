"""Someone with the database's keys edits, deletes, inserts and reorders event rows with
plain SQL (the append-only triggers switched off first): `truceline ledger verify` names
every change by its sequence number."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from truceline.ledger.models import Event, LogHead
from truceline.ledger.services import checkpoint_now, event_append, record_of

pytestmark = pytest.mark.django_db


def _sql(*statements: str) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _guards_off() -> None:
    if connection.vendor == "postgresql":
        # settle the deferred foreign-key checks first, or PostgreSQL refuses the ALTER
        _sql("SET CONSTRAINTS ALL IMMEDIATE", "ALTER TABLE ledger_event DISABLE TRIGGER USER")
    else:
        _sql("DROP TRIGGER ledger_event_no_update", "DROP TRIGGER ledger_event_no_delete")


def _verify() -> tuple[bool, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("ledger", "verify", stdout=out, stderr=err)
    except CommandError as exc:
        return False, err.getvalue() + str(exc)
    return True, out.getvalue()


def test_verify_names_each_row_changed_deleted_inserted_or_reordered() -> None:
    for i in range(30):
        with transaction.atomic():
            event_append(actor=None, kind="t", object_type="t", object_id=str(i), payload={"i": i})
    checkpoint_now()
    ok, text = _verify()
    assert ok, text
    last = LogHead.objects.get().size
    edited, deleted, a, b = last - 25, last - 20, last - 10, last - 9
    inserted = last + 1
    _guards_off()
    _sql(
        # a payload rewritten
        "UPDATE ledger_event SET payload = '{\"i\":999}' WHERE seq = %d" % edited,
        # a row removed
        "DELETE FROM ledger_event WHERE seq = %d" % deleted,
        # a row the ledger never saw
        "INSERT INTO ledger_event (seq, recorded_at, actor_label, kind, object_type, object_id,"
        " payload, salt) VALUES (%d, '2025-11-01 00:00:00', 'system', 't', 't', 'x', '{}', '%s')"
        % (inserted, "ab" * 32),
        # two rows swapped
        "UPDATE ledger_event SET seq = -1 WHERE seq = %d" % a,
        "UPDATE ledger_event SET seq = %d WHERE seq = %d" % (a, b),
        "UPDATE ledger_event SET seq = %d WHERE seq = -1" % b,
    )
    ok, text = _verify()
    assert not ok
    assert f"entry #{edited}: the event row differs from its ledger leaf (changed)" in text
    assert f"entry #{deleted}: the event row is missing (deleted)" in text
    assert f"entry #{inserted}: not in the ledger (row inserted)" in text
    assert f"entry #{a}: holds the event recorded as #{b} (rows reordered)" in text
    assert f"entry #{b}: holds the event recorded as #{a} (rows reordered)" in text
    assert f"checkpoint {last}: the rows do not rebuild its signed root" in text
    named = [line for line in text.splitlines() if line.startswith("FAIL entry")]
    assert len(named) == 5, named  # nothing else is blamed


def test_a_consistent_rewrite_of_rows_and_leaves_still_breaks_the_signed_roots() -> None:
    """Whoever rewrites an event and its leaf together still cannot sign a new checkpoint
    root with the old checkpoints' signatures."""
    for i in range(8):
        with transaction.atomic():
            event_append(actor=None, kind="t", object_type="t", object_id=str(i), payload={"i": i})
    checkpoint_now()
    target = Event.objects.order_by("-seq")[3]
    _guards_off()
    if connection.vendor == "postgresql":
        _sql("ALTER TABLE ledger_entry DISABLE TRIGGER USER")
    else:
        _sql("DROP TRIGGER ledger_entry_no_update")
    _sql("UPDATE ledger_event SET payload = '{\"i\":42}' WHERE seq = %d" % target.seq)
    target.refresh_from_db()
    leaf = record_of(target).leaf()
    with connection.cursor() as cursor:
        cursor.execute(
            'UPDATE ledger_entry SET leaf = %s WHERE "index" = %s', [leaf, target.seq - 1]
        )
    ok, text = _verify()
    assert not ok
    assert "the rows do not rebuild its signed root" in text
