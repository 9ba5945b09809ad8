from django.apps import AppConfig


class RedactionConfig(AppConfig):
    name = "truceline.redaction"
    label = "redaction"
    default_auto_field = "django.db.models.BigAutoField"
