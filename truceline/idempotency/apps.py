from django.apps import AppConfig


class IdempotencyConfig(AppConfig):
    name = "truceline.idempotency"
    label = "idempotency"
    default_auto_field = "django.db.models.BigAutoField"
