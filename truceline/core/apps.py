from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "truceline.core"
    label = "core"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from truceline.core.languages import install

        install()  # Pashto and Dari, which Django lacks
