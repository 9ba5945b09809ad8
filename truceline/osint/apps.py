from django.apps import AppConfig


class OsintConfig(AppConfig):
    name = "truceline.osint"
    label = "osint"
    verbose_name = "Open-source monitoring"
    default_auto_field = "django.db.models.BigAutoField"
