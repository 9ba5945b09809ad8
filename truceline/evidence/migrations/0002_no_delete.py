"""Evidence is never deleted: DELETE on its tables is refused by triggers (sharing and the
incident it is cited for change, and each change is on the ledger)."""

from django.db import migrations

TABLES = ["evidence_blob", "evidence_evidence"]


def _statements(vendor):
    up, down = [], []
    for table in TABLES:
        if vendor == "sqlite":
            up.append(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} keeps every record: DELETE refused'); END"
            )
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif vendor == "postgresql":
            up.append(
                f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_event_refuse()"
            )
            up.append(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_event_refuse()"
            )
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}")
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            raise RuntimeError(f"no guard for {vendor}")
    return up, down


def up(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(sql, params=None)


def down(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial"), ("ledger", "0004_backfill_and_guards")]

    operations = [migrations.RunPython(up, down)]
