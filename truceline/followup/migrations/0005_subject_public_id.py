"""A random public identifier for each subject of a request: what the parties see and send
back is never the row's sequence number."""

from django.db import migrations, models

import truceline.followup.models
from truceline.core.guards import no_delete
from truceline.core.ids import new_id


def fill(apps, schema_editor):
    Subject = apps.get_model("followup", "Subject")
    for row in Subject.objects.filter(public_id__isnull=True).only("pk").iterator():
        Subject.objects.filter(pk=row.pk).update(public_id=new_id("SBJ"))


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0004_compliance"),
        ("ledger", "0004_backfill_and_guards"),
    ]

    operations = [
        migrations.AddField(
            model_name="subject",
            name="public_id",
            field=models.CharField(max_length=16, null=True, editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="subject",
            name="public_id",
            field=models.CharField(
                default=truceline.followup.models._subject_id,
                editable=False,
                max_length=16,
                unique=True,
            ),
        ),
        no_delete("followup_subject"),  # SQLite remade the table without its trigger
    ]
