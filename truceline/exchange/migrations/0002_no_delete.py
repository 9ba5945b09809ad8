"""Import batches and the historic events they brought are never deleted."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("exchange", "0001_initial"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "exchange_importbatch",
            "exchange_historicevent",
        )
    ]
