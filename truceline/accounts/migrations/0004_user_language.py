"""The language a person is written to in (notifications, rendered by the worker)."""

from django.db import migrations, models

from truceline.core.guards import no_delete


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_no_delete")]

    operations = [
        migrations.AddField(
            model_name="user",
            name="language",
            field=models.CharField(blank=True, default="", max_length=8),
        ),
        # SQLite may remake the table to add a column, which drops its triggers
        no_delete("accounts_user"),
    ]
