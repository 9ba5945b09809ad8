from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "truceline.security"
    label = "security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from truceline.security.services import on_locked_out

        user_locked_out.connect(on_locked_out, dispatch_uid="truceline.security.lockout")
