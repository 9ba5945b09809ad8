"""Random public identifiers for notifications, webhooks and deliveries: what people see and
quote is never the row's sequence number. Existing rows get one each, then the column becomes
unique and required."""

from django.db import migrations, models

import truceline.notify.models
from truceline.core.ids import new_id

PREFIXES = {"notification": "NTF", "webhook": "WHK", "delivery": "DLV"}


def fill(apps, schema_editor):
    for model_name, prefix in PREFIXES.items():
        model = apps.get_model("notify", model_name)
        for row in model.objects.filter(public_id__isnull=True).only("pk").iterator():
            model.objects.filter(pk=row.pk).update(public_id=new_id(prefix))


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0002_attempt_without_timing"),
    ]

    operations = [
        *(
            migrations.AddField(
                model_name=name,
                name="public_id",
                field=models.CharField(max_length=16, null=True, editable=False),
            )
            for name in PREFIXES
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=name,
                name="public_id",
                field=models.CharField(
                    default=default, editable=False, max_length=16, unique=True
                ),
            )
            for name, default in (
                ("notification", truceline.notify.models._notification_id),
                ("webhook", truceline.notify.models._webhook_id),
                ("delivery", truceline.notify.models._delivery_id),
            )
        ),
    ]
