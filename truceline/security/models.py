"""What the secretariat's security review reads: refused access, lockouts, revocations.

Not the public ledger: these name people and addresses. Kept, never edited or deleted.
"""

from __future__ import annotations

import logging
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

log = logging.getLogger("truceline.security")


class Kind(models.TextChoices):
    DENIED = "denied", _("Access refused (404 on an existing object)")
    MISSING = "missing", _("Asked for an object that does not exist (404)")
    LOCKOUT = "lockout", _("Sign-in locked out")
    REVOKED = "revoked", _("Emergency revocation")
    RATE_LIMITED = "rate-limited", _("Rate limit reached")


class SecurityEvent(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="security_events",
    )
    username = models.CharField(max_length=150, blank=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=200, blank=True)
    method = models.CharField(max_length=8, blank=True)
    path = models.CharField(max_length=2048, blank=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["kind", "-at"], name="security_kind_at")]

    def __str__(self) -> str:
        return f"{self.kind} {self.username} {self.object_type} {self.object_id}"


class RateCount(models.Model):
    """How many requests one client made under one rate limit in one window (ratelimit.py).

    Operational state, not a record: rows of windows long past are pruned."""

    bucket = models.CharField(max_length=120)  # "<rule>:<client>"
    period_start = models.BigIntegerField()  # the window's start, seconds since the epoch
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "period_start"], name="rate_count_per_window")
        ]
        indexes = [models.Index(fields=["period_start"], name="rate_count_start")]

    def __str__(self) -> str:
        return f"{self.bucket}@{self.period_start}: {self.hits}"


class Authenticator(TOTPDevice):
    """django-otp's TOTP device, with its key sealed at rest (accounts/sealing.py).

    The same table and django-otp's own verification (``verify_token``, throttling, single
    use); only ``bin_key``, which everything of django-otp reads the key through, opens the
    sealed column. A key that does not open (in clear, edited, copied from another person's
    row) matches no code: the person is refused, never let in, and the log says why. Devices
    are made only by ``accounts.twofactor.authenticator_new``."""

    class Meta:
        proxy = True
        verbose_name = _("authenticator")

    @property
    def bin_key(self) -> bytes:
        from truceline.accounts.sealing import Unsealable, unseal

        try:
            return unseal(self.key, user_id=self.user_id)
        except Unsealable as exc:
            log.error("authenticator %s of user %s: its key %s", self.pk, self.user_id, exc)
            return secrets.token_bytes(20)  # a key nobody holds: no code matches


def new_change_id() -> str:
    from truceline.core.ids import new_id

    return new_id("CHG")


class ChangeKind(models.TextChoices):
    PASSWORD_SET = "password-set", _("Set the password")
    PASSWORD_DISABLED = "password-disabled", _("Turn password sign-in off")
    SECOND_FACTOR_REMOVED = "second-factor-removed", _("Remove the authenticator")
    ACCOUNT = "account", _("Change the role, organisation or activation")


class ChangeState(models.TextChoices):
    PENDING = "pending", _("Awaiting a second admin")
    APPROVED = "approved", _("Approved and made")
    REFUSED = "refused", _("Refused")


class CredentialChange(models.Model):
    """A change to the credentials of a person whose role requires a second factor, asked for
    by someone else: it is made only once a second, different admin approves it
    (accounts/credentials.py; who may: policy/credentials.py). ``detail`` holds what is to be
    made — for a password its hash, never the password, blanked once decided."""

    id = models.CharField(max_length=16, primary_key=True, default=new_change_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="credential_changes"
    )
    kind = models.CharField(max_length=24, choices=ChangeKind.choices)
    detail = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=12, choices=ChangeState.choices, default="pending")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "id"]

    def __str__(self) -> str:
        return f"{self.id} {self.kind} ({self.state})"
