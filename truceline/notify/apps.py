from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "truceline.notify"
    label = "notify"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from truceline.ledger.services import listen
        from truceline.notify.outbox import record

        listen(record)  # one outbox row per event that may notify; the worker does the rest
