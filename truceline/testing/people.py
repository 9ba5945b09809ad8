"""The suite's cast (conftest.py's ``people`` makes them): one person of each kind of each
side, their shared password, and the codes their authenticators show."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.models import Role, User
from truceline.accounts.testing import authenticator

# username -> (organisation, role); the demo's people plus an outsider-free cast.
PEOPLE = {
    "pk-liaison": ("pakistan", Role.LIAISON),
    "af-liaison": ("afghanistan", Role.LIAISON),
    "qa-monitor": ("qatar", Role.MONITOR),
    "tr-monitor": ("turkiye", Role.MONITOR),
    "qa-signatory": ("qatar", Role.SIGNATORY),
    "tr-signatory": ("turkiye", Role.SIGNATORY),
    "admin": ("qatar", Role.ADMIN),
}
PASSWORD = "correct horse battery staple"  # noqa: S105 - test-only

# The public and each of the cast, in the order of the columns of the tests' tables of who may
# do what.
ROLES = [
    "public",
    "pk-liaison",
    "af-liaison",
    "qa-monitor",
    "tr-monitor",
    "qa-signatory",
    "tr-signatory",
    "admin",
]


def totp_code(user: User) -> str:
    """A code the user's authenticator shows now. Codes are single-use: the device forgets the
    last one used, so a test may sign twice within 30 seconds (replay has its own test)."""
    device = authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
