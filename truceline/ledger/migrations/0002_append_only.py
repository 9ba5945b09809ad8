"""The event log is append-only at the database level, on both databases.

UPDATE and DELETE on ledger_event are refused by triggers (and TRUNCATE on PostgreSQL);
the log head row starts at size 0.
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER ledger_event_no_update BEFORE UPDATE ON ledger_event
       BEGIN SELECT RAISE(ABORT, 'ledger_event is append-only: UPDATE refused'); END""",
    """CREATE TRIGGER ledger_event_no_delete BEFORE DELETE ON ledger_event
       BEGIN SELECT RAISE(ABORT, 'ledger_event is append-only: DELETE refused'); END""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_event_no_update",
    "DROP TRIGGER IF EXISTS ledger_event_no_delete",
]
POSTGRES_UP = [
    """CREATE FUNCTION ledger_event_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'ledger_event is append-only: % refused', TG_OP
           USING ERRCODE = 'insufficient_privilege';
       END $$""",
    """CREATE TRIGGER ledger_event_no_change BEFORE UPDATE OR DELETE ON ledger_event
       FOR EACH ROW EXECUTE FUNCTION ledger_event_refuse()""",
    """CREATE TRIGGER ledger_event_no_truncate BEFORE TRUNCATE ON ledger_event
       FOR EACH STATEMENT EXECUTE FUNCTION ledger_event_refuse()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER IF EXISTS ledger_event_no_truncate ON ledger_event",
    "DROP TRIGGER IF EXISTS ledger_event_no_change ON ledger_event",
    "DROP FUNCTION IF EXISTS ledger_event_refuse()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"no append-only guard for {schema_editor.connection.vendor}; "
                "Truceline supports SQLite and PostgreSQL"
            )
        for sql in statements:
            schema_editor.execute(sql, params=None)

    return run


def create_head(apps, schema_editor):
    apps.get_model("ledger", "LogHead").objects.get_or_create(pk=1, defaults={"size": 0})


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
        migrations.RunPython(create_head, migrations.RunPython.noop),
    ]
