"""The outbox: one row per ledger event that may notify, drained by the worker; never deleted."""

import django.db.models.deletion
from django.db import migrations, models

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_backfill_and_guards"), ("notify", "0004_no_delete")]

    operations = [
        migrations.CreateModel(
            name="Outbox",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="ledger.event",
                    ),
                ),
                ("processed_at", models.DateTimeField(blank=True, null=True)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
            ],
            options={
                "ordering": ["event"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("processed_at__isnull", True)),
                        fields=["event"],
                        name="notify_outbox_pending",
                    )
                ],
            },
        ),
        no_delete("notify_outbox"),
    ]
