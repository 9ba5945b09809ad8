from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "truceline.web"
    label = "web"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import signals

        from truceline.web.templatetags import words

        signals.request_started.connect(words.request_started, dispatch_uid="web-scenario-names")
        signals.request_finished.connect(words.request_finished, dispatch_uid="web-scenario-names")
