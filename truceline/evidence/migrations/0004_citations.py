"""Citations: which report or response cites an item, so that others reach it exactly where
the citing object is visible to them (policy/evidence.py). Filled from what reports and
responses cite already; never deleted, like the rest of the evidence tables."""

from typing import Any

import django.db.models.deletion
from django.db import migrations, models

from truceline.core.guards import no_delete


def backfill(apps: Any, schema_editor: Any) -> None:
    Evidence = apps.get_model("evidence", "Evidence")
    Citation = apps.get_model("evidence", "Citation")
    for model, side, org in (
        (apps.get_model("reports", "Report"), "report", "filing_org_id"),
        (apps.get_model("incidents", "Response"), "response", "party_id"),
    ):
        for citing in model.objects.iterator():
            ids = [i for i in citing.evidence or [] if isinstance(i, str)]
            if not ids:
                continue
            items = Evidence.objects.filter(
                pk__in=ids,
                kind="original",
                organisation_id=getattr(citing, org),
                incident__isnull=False,
            )
            for item in items:
                Citation.objects.get_or_create(
                    evidence=item, **{side: citing}, defaults={"cited_at": citing.submitted_at}
                )


class Migration(migrations.Migration):

    dependencies = [
        ('evidence', '0003_chunked_upload'),
        ('incidents', '0004_incident_incidents_i_state_2b2392_idx_and_more'),
        ('reports', '0004_source_type'),
    ]

    operations = [
        migrations.AlterField(
            model_name='evidence',
            name='kind',
            field=models.CharField(choices=[('original', 'Original, as received'), ('thumbnail', 'Thumbnail'), ('public-copy', 'Copy without metadata')], default='original', max_length=12),
        ),
        migrations.CreateModel(
            name='Citation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('cited_at', models.DateTimeField()),
                ('dropped_at', models.DateTimeField(blank=True, null=True)),
                ('evidence', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='citations', to='evidence.evidence')),
                ('report', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='reports.report')),
                ('response', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='incidents.response')),
            ],
            options={
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('report__isnull', False), ('response__isnull', True)), models.Q(('report__isnull', True), ('response__isnull', False)), _connector='OR'), name='evidence_citation_one_citer'), models.UniqueConstraint(fields=('evidence', 'report'), name='evidence_cited_once_by_report'), models.UniqueConstraint(fields=('evidence', 'response'), name='evidence_cited_once_by_response')],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        no_delete("evidence_citation"),
    ]
