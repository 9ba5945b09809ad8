from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "truceline.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from truceline.ledger.services import listen
        from truceline.notify.rules import on_event

        listen(on_event)
