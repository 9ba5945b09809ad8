"""No record is ever deleted: every table of the mechanism's records refuses DELETE (and, on
PostgreSQL, TRUNCATE) in the database itself, whoever asks — the admin's site, a shell, a
script. The tables come from the installed models, so a model added tomorrow is refused a
delete the day it is added, unless it is named below with the reason it may shrink.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction

from truceline.testing.world import plant

# Tables that may lose rows, and why. Everything else of Truceline's apps keeps every row.
MAY_SHRINK = {
    "reports_reportdraft": "a draft is its author's until filed; the filed report is kept",
    "idempotency_idempotencykey": "replay protection for a day; the change it guarded is kept",
    "security_ratecount": "counters of a window that has passed",
    "dashboards_weektally": "derived counts, rebuilt from the records",
    "dashboards_celltally": "derived counts, rebuilt from the records",
    "dashboards_celltotal": "derived counts, rebuilt from the records",
    "evidence_chunkedupload": "guarded too; listed for its parts being re-sent",
    "ledger_loghead": "one row, updated in place under a lock",
    "accounts_user_groups": "Django's permission groups, unused",
    "accounts_user_user_permissions": "Django's permissions, unused",
    "scenario_round_mediators": "a round's mediators, set again when the file changes",
    "scenario_commitment_parties": "a clause's parties, amended by a round (on the ledger)",
}


def _record_tables() -> list[str]:
    tables = []
    for model in apps.get_models(include_auto_created=True):
        if not model.__module__.startswith("truceline.") or model._meta.proxy:
            continue  # a proxy (security.Authenticator) has no table of its own
        table = model._meta.db_table
        if table not in MAY_SHRINK:
            tables.append(table)
    return sorted(set(tables))


def _delete_triggers(table: str) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            return [sql for (sql,) in cursor.fetchall() if "BEFORE DELETE" in sql.upper()]
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal"
            " AND (tgtype & 8) <> 0",  # TRIGGER_TYPE_DELETE
            [table],
        )
        return [name for (name,) in cursor.fetchall()]


@pytest.mark.django_db
def test_every_record_table_refuses_delete_in_the_database(api) -> None:  # type: ignore[no-untyped-def]
    tables = _record_tables()
    assert len(tables) > 40, tables  # the walk sees the apps
    unguarded = [t for t in tables if not _delete_triggers(t)]
    assert not unguarded, f"no DELETE guard on {unguarded}: add no_delete() in a migration"

    plant(api)  # rows in most tables: each refuses a DELETE for real
    tried = 0
    for table in tables:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            if not cursor.fetchone()[0]:
                continue
        tried += 1
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    assert tried > 20, f"only {tried} tables had rows to try"
