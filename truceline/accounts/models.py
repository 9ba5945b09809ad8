"""People and their API tokens.

A user belongs to one organisation (a party or a mediator) and holds one role. The role must
fit the organisation's kind: liaisons belong to parties; monitors, signatories and the
secretariat's admins to mediators. The services enforce it (accounts/services.py).
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from truceline.core.ids import new_id
from truceline.scenario.models import Organisation


class Role(models.TextChoices):
    LIAISON = "liaison", _("Party liaison")
    MONITOR = "monitor", _("Monitor")
    SIGNATORY = "signatory", _("Guarantor signatory")
    ADMIN = "admin", _("Secretariat admin")


PARTY_ROLES = frozenset({Role.LIAISON})
MEDIATOR_ROLES = frozenset({Role.MONITOR, Role.SIGNATORY, Role.ADMIN})


class User(AbstractUser):
    """A person using the mechanism: organisation, role, and the time zone pages show."""

    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    role = models.CharField(max_length=16, choices=Role.choices, blank=True)
    time_zone = models.CharField(
        max_length=64, blank=True, help_text=_("Empty: the organisation's zone.")
    )
    # The language this person is written to in (notifications and their emails, rendered by
    # the worker): one of settings.LANGUAGES; empty, or one not shipped, is the site's default
    # (core.languages.language_of decides).
    language = models.CharField(max_length=8, blank=True, default="")

    # Raised by an emergency revocation: every session signed in before it stops working.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Sessions carry this: it changes with the password and with the session epoch."""
        return salted_hmac(
            "truceline.accounts.User.session",
            f"{self.password}:{self.session_epoch}",
            secret=secret,
            algorithm="sha256",
        ).hexdigest()

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.time_zone and self.organisation_id:
            self.time_zone = self.organisation.time_zone  # type: ignore[union-attr]
        super().save(*args, **kwargs)  # type: ignore[arg-type]


def new_token_id() -> str:
    return new_id("TOK")


class ApiToken(models.Model):
    """A bearer token: stored as its SHA-256, shown once, scoped to the role it was made for.

    SHA-256 and not a slow password hash: tokens are 256 random bits, so there is nothing to
    brute-force, and a slow hash on every API request would cap throughput.
    """

    id = models.CharField(max_length=16, primary_key=True, default=new_token_id, editable=False)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    hint = models.CharField(
        max_length=12, help_text=_("The first characters, to tell tokens apart.")
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.id} ({self.hint}…)"

    def is_live(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.revoked_at is None and self.expires_at > moment  # type: ignore[operator]
