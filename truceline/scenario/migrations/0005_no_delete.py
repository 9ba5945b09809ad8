"""The scenario's rows are never deleted: what a newer file drops is retired, so old records keep meaning."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("scenario", "0004_names_by_language"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "scenario_scenario",
            "scenario_organisation",
            "scenario_category",
            "scenario_round",
            "scenario_commitment",
            "scenario_sector",
            "scenario_place",
            "scenario_actor",
        )
    ]
