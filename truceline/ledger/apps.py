from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_log_key(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """A new database gets its log key at once, so the first checkpoint need not make one
    (and the key's own ledger entry comes first)."""
    from django.db import transaction

    from truceline.ledger.keys import current_log_key, log_key_create

    if kwargs.get("plan") is not None and not any(
        migration.app_label == "ledger" for migration, _backwards in kwargs["plan"]
    ):
        return
    with transaction.atomic(using=using):
        if current_log_key() is None:
            log_key_create()


class LedgerConfig(AppConfig):
    name = "truceline.ledger"
    label = "ledger"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_ensure_log_key, sender=self, dispatch_uid="ledger-log-key")
