"""Findings, votes, acknowledgements, reconsiderations and signing keys are never deleted."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("findings", "0003_reconsideration"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "findings_finding",
            "findings_signingkey",
            "findings_vote",
            "findings_acknowledgement",
            "findings_reconsideration",
        )
    ]
