import pytest
from django.db import DatabaseError, connection, transaction

from truceline.ledger.models import Event, LogHead
from truceline.ledger.services import NotInTransaction, event_append


def _append(kind: str = "test.thing") -> Event:
    with transaction.atomic():
        return event_append(
            actor=None, kind=kind, object_type="test", object_id="T-1", payload={"n": 1.5, "a": [1]}
        )


@pytest.mark.django_db
def test_sequence_is_gapless_even_when_a_transaction_rolls_back() -> None:
    first = _append()
    with pytest.raises(RuntimeError), transaction.atomic():
        event_append(actor=None, kind="x", object_type="test", object_id="T-2", payload={})
        raise RuntimeError("the change failed after its event was appended")
    second = _append()
    assert second.seq == first.seq + 1
    assert list(Event.objects.values_list("seq", flat=True)) == list(range(1, second.seq + 1))
    assert LogHead.objects.get().size == second.seq


@pytest.mark.django_db
def test_payload_is_canonical_json_with_a_fresh_salt() -> None:
    a, b = _append(), _append()
    assert a.payload == '{"a":[1],"n":1.5}'
    assert len(a.salt) == 64 and a.salt != b.salt
    assert a.actor_label == "system"


@pytest.mark.django_db
def test_append_outside_a_transaction_is_refused() -> None:
    with pytest.raises(NotInTransaction):
        event_append(actor=None, kind="x", object_type="t", object_id="1", payload={})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE ledger_event SET kind = 'forged' WHERE seq = %s",
        "UPDATE ledger_event SET payload = '{}'",
        "DELETE FROM ledger_event WHERE seq = %s",
        "DELETE FROM ledger_event",
    ],
)
def test_database_refuses_update_and_delete(sql: str) -> None:
    event = _append()
    params = [event.seq] if "%s" in sql else []
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql, params)
    event.refresh_from_db()
    assert event.kind == "test.thing"


@pytest.mark.django_db
def test_postgresql_also_refuses_truncate() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE exists only on PostgreSQL; SQLite's equivalent is DELETE")
    _append()
    before = Event.objects.count()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        # Settle the deferred foreign-key checks of the insert above, or PostgreSQL refuses
        # the TRUNCATE for that reason before our trigger is asked.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("TRUNCATE ledger_event CASCADE")
    assert Event.objects.count() == before


@pytest.mark.django_db
def test_orm_update_and_delete_are_refused_too() -> None:
    _append()
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.update(kind="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        Event.objects.all().delete()
    assert Event.objects.filter(kind="test.thing").count() == 1
