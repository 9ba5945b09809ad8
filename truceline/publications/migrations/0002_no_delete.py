"""Stored editions are records: never deleted."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("publications", "0001_initial"), ("ledger", "0004_backfill_and_guards")]

    operations = [no_delete("publications_edition")]
