"""Database triggers that keep records from being deleted, for migrations to install.

Installing a guard twice is harmless, which a migration that rebuilds a table needs: SQLite
drops a table's triggers when Django remakes it to alter a column, so such a migration ends by
installing the guard again (tests/contracts/test_no_delete.py finds a table left unguarded).

UPDATE stays allowed (states change, and each change is on the ledger); DELETE and, on
PostgreSQL, TRUNCATE are refused. PostgreSQL's trigger function comes from ledger/0002.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def _statements(vendor: str, tables: list[str]) -> tuple[list[str], list[str]]:
    up, down = [], []
    for table in tables:
        if vendor == "sqlite":
            up.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} BEGIN "
                f"SELECT RAISE(ABORT, '{table} keeps every record: DELETE refused'); END"
            )
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        elif vendor == "postgresql":
            up.append(
                f"CREATE OR REPLACE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION ledger_event_refuse()"
            )
            up.append(
                f"CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION ledger_event_refuse()"
            )
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_delete ON {table}")
            down.append(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            raise RuntimeError(f"no guard for {vendor}; Truceline supports SQLite and PostgreSQL")
    return up, down


def no_delete(*tables: str) -> migrations.RunPython:
    def up(apps: Any, schema_editor: Any) -> None:
        for sql in _statements(schema_editor.connection.vendor, list(tables))[0]:
            schema_editor.execute(sql, params=None)

    def down(apps: Any, schema_editor: Any) -> None:
        for sql in _statements(schema_editor.connection.vendor, list(tables))[1]:
            schema_editor.execute(sql, params=None)

    return migrations.RunPython(up, down)
