"""The second factor: TOTP devices (django-otp), mandatory for the mechanism's people.

- Monitors, signatories and admins must have one: until they have set it up and typed a code
  at sign-in, every page sends them to /account/two-factor/ (accounts/middleware.py).
- Liaisons may set one up; once they have, sign-in asks for it.
- A signature (a vote on a finding) and replacing one's authenticator ask for a fresh code,
  typed for that act: ``check_fresh``. Codes are single-use.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.models import MEDIATOR_ROLES
from truceline.core.errors import Invalid
from truceline.ledger.services import event_append

DEVICE_NAME = "authenticator"


def required_for(user: AbstractBaseUser | AnonymousUser) -> bool:
    return getattr(user, "role", "") in MEDIATOR_ROLES


def device_of(user: AbstractBaseUser) -> TOTPDevice | None:
    """The user's confirmed authenticator, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def verify(device: TOTPDevice, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    return code.isdigit() and len(code) == device.digits and bool(device.verify_token(code))


def check_fresh(user: AbstractBaseUser, code: str) -> None:
    """A code typed now for this act, or Invalid on the field ``code``."""
    device = device_of(user)
    if device is None:
        raise Invalid({"code": ["set up an authenticator first (your account page)"]})
    if not verify(device, code):
        raise Invalid({"code": ["the authentication code is wrong or was already used"]})


def enrolment_start(user: AbstractBaseUser) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (replacing any unconfirmed one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def enrolment_confirm(user: AbstractBaseUser, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm a new authenticator with a code from it; the old one stops working."""
    if device.confirmed or device.user_id != user.pk:
        raise Invalid({"code": ["start again: this set-up is no longer pending"]})
    if not verify(device, code):
        raise Invalid({"code": ["the code does not match; check the phone's clock and retry"]})
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
        had_one = replaced.exists()
        replaced.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        event_append(
            actor=user,
            kind="user.second-factor-replaced" if had_one else "user.second-factor-set",
            object_type="user",
            object_id=user.get_username(),
            payload={"username": user.get_username()},
        )
    return device
