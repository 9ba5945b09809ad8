"""Feeds, articles, candidates and what was extracted from them are never deleted."""

from django.db import migrations

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("osint", "0001_initial"), ("ledger", "0004_backfill_and_guards")]

    operations = [
        no_delete(
            "osint_feed",
            "osint_article",
            "osint_candidategroup",
            "osint_candidate",
            "osint_claim",
            "osint_mention",
        )
    ]
