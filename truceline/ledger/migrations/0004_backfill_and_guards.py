"""The ledger's tables are append-only like the event log (UPDATE and DELETE refused by
triggers; keys may only be retired), and the events recorded before the tree existed are
entered in it, in order, so every event has its leaf."""

from django.db import migrations
from django.utils import timezone

from truceline.ledger import merkle
from truceline.ledger.leaves import EventRecord, time_text

APPEND_ONLY = ["ledger_entry", "ledger_node", "ledger_checkpoint", "ledger_cosignature",
               "ledger_splitview"]
NO_DELETE = ["ledger_ledgerkey"]


def _statements(vendor):
    up, down = [], []
    if vendor == "sqlite":
        for table in APPEND_ONLY + NO_DELETE:
            ops = ["DELETE"] if table in NO_DELETE else ["UPDATE", "DELETE"]
            for op in ops:
                name = f"{table}_no_{op.lower()}"
                up.append(
                    f"CREATE TRIGGER {name} BEFORE {op} ON {table} BEGIN "
                    f"SELECT RAISE(ABORT, '{table} is append-only: {op} refused'); END"
                )
                down.append(f"DROP TRIGGER IF EXISTS {name}")
    elif vendor == "postgresql":
        # ledger_event_refuse() comes from migration 0002
        for table in APPEND_ONLY + NO_DELETE:
            ops = "DELETE" if table in NO_DELETE else "UPDATE OR DELETE"
            up.append(
                f"CREATE TRIGGER {table}_no_change BEFORE {ops} ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_event_refuse()"
            )
            up.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_event_refuse()"
            )
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
    else:
        raise RuntimeError(f"no append-only guard for {vendor}")
    return up, down


def guards_up(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(sql, params=None)


def guards_down(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(sql, params=None)


def backfill(apps, schema_editor):
    Event = apps.get_model("ledger", "Event")
    Entry = apps.get_model("ledger", "Entry")
    Node = apps.get_model("ledger", "Node")
    LogHead = apps.get_model("ledger", "LogHead")
    head = LogHead.objects.get(pk=1)
    frontier, size = [], 0
    for event in Event.objects.order_by("seq").iterator():
        leaf = EventRecord(
            event.seq, time_text(event.recorded_at), event.actor_label, event.kind,
            event.object_type, event.object_id, event.payload, event.salt,
        ).leaf()
        Entry.objects.create(index=size, leaf=leaf)
        made = merkle.frontier_append(frontier, size, merkle.leaf_hash(leaf))
        Node.objects.bulk_create([Node(id=i, hash=h) for i, h in made])
        size += 1
    head.frontier = merkle.pack(frontier)
    head.pending_since = timezone.now() if size else None
    head.save(update_fields=["frontier", "pending_since"])


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_tree_checkpoints_keys")]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(guards_up, guards_down),
    ]
