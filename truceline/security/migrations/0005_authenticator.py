"""Authenticators' keys sealed at rest (accounts/sealing.py): the proxy model that opens them,
and every key already stored in clear sealed in place. Reversible (the keys in clear again)."""

from typing import Any

from django.db import migrations

from truceline.accounts import sealing


def seal_keys(apps: Any, schema_editor: Any) -> None:
    device = apps.get_model("otp_totp", "TOTPDevice")
    for row in device.objects.all().only("pk", "user_id", "key"):
        if not sealing.is_sealed(row.key):
            row.key = sealing.seal(bytes.fromhex(row.key), user_id=row.user_id)
            row.save(update_fields=["key"])


def open_keys(apps: Any, schema_editor: Any) -> None:
    device = apps.get_model("otp_totp", "TOTPDevice")
    for row in device.objects.all().only("pk", "user_id", "key"):
        if sealing.is_sealed(row.key):
            row.key = sealing.unseal(row.key, user_id=row.user_id).hex()
            row.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0004_no_delete"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [
        migrations.CreateModel(
            name="Authenticator",
            fields=[],
            options={"verbose_name": "authenticator", "proxy": True, "indexes": [], "constraints": []},
            bases=("otp_totp.totpdevice",),
        ),
        migrations.RunPython(seal_keys, open_keys),
    ]
