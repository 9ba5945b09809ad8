from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "truceline.dashboards"
    label = "dashboards"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from truceline.dashboards import tally

        tally.connect()
