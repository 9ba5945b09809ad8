"""Incidents, the accused party's responses and the monitors' questions are never deleted."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("incidents", "0004_incident_incidents_i_state_2b2392_idx_and_more"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "incidents_incident",
            "incidents_response",
            "incidents_question",
        )
    ]
