from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "truceline.security"
    label = "security"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from axes.signals import user_locked_out

        from truceline.security.services import on_locked_out

        user_locked_out.connect(on_locked_out, dispatch_uid="truceline.security.lockout")
        self._check_rates()

    @staticmethod
    def _check_rates() -> None:
        """A rate that is no rate stops every process at start, not each request with a 500."""
        from django.conf import settings
        from django.core.exceptions import ImproperlyConfigured

        from truceline.security.ratelimit import RULES, parse_rate

        names = {rule.name for rule in RULES}
        for name, text in settings.TRUCELINE_RATE_LIMITS.items():
            if name not in names:
                raise ImproperlyConfigured(f"TRUCELINE_RATE_LIMITS: no rule {name!r}")
            try:
                parse_rate(text)
            except ValueError as exc:
                env = f"TRUCELINE_RATE_{name.upper()}"
                raise ImproperlyConfigured(f"{env}: {exc}") from exc
