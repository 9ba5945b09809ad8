"""Seals are never deleted (one is lifted by a later record, never removed)."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("redaction", "0001_initial"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "redaction_seal",
        )
    ]
