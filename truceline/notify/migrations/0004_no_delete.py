"""What each person was told, their choices, their webhooks and the delivery log are never deleted."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("notify", "0003_public_ids"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "notify_notification",
            "notify_preference",
            "notify_webhook",
            "notify_delivery",
            "notify_attempt",
        )
    ]
