"""Evidence is never deleted: DELETE on its tables is refused by triggers (sharing and the
incident it is cited for change, and each change is on the ledger)."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("evidence", "0001_initial"), ("ledger", "0004_backfill_and_guards")]

    operations = [no_delete("evidence_blob", "evidence_evidence")]
