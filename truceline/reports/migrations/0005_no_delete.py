"""Reports and every version of them are never deleted (drafts are their author's, and may go)."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_source_type"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "reports_report",
            "reports_reportversion",
        )
    ]
