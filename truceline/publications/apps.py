from django.apps import AppConfig


class PublicationsConfig(AppConfig):
    name = "truceline.publications"
    label = "publications"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from truceline.ledger.services import listen
        from truceline.publications.editions import on_event

        listen(on_event)  # the stored public editions are rebuilt when what they show changes
