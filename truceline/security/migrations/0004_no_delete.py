"""The security record is never deleted (rate counters expire and may go)."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("security", "0003_missing_kind"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "security_securityevent",
        )
    ]
