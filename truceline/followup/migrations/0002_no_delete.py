"""Requests, the people they name and what was verified are never deleted."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("followup", "0001_initial"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "followup_partyrequest",
            "followup_subject",
            "followup_verification",
            "followup_verification_subjects",
        )
    ]
