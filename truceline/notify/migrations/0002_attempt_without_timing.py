"""The delivery log keeps no timings, and says "failed" (or the status code), not why."""

from django.db import migrations


def plain_errors(apps, schema_editor):
    Attempt = apps.get_model("notify", "Attempt")
    Attempt.objects.exclude(status_code=None).exclude(error="").update(error="")
    Attempt.objects.filter(status_code=None).exclude(error="").update(error="failed")


class Migration(migrations.Migration):
    dependencies = [
        ("notify", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(plain_errors, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name="attempt",
            name="ms",
        ),
    ]
