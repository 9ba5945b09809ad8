from django.apps import AppConfig


class ScenarioConfig(AppConfig):
    name = "truceline.scenario"
    label = "scenario"
    default_auto_field = "django.db.models.BigAutoField"
