"""People and their API tokens are never deleted: they are deactivated and revoked."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_user_session_epoch"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "accounts_user",
            "accounts_apitoken",
        )
    ]
