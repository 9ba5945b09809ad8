"""The second factor: TOTP devices (django-otp), mandatory for the mechanism's people.

- Monitors, signatories and admins must have one: until they have set it up and typed a code
  at sign-in, their session reaches nothing but /account/two-factor/ (accounts/middleware.py,
  core/api.py, accounts/admin.py).
- Liaisons may set one up; once they have, sign-in asks for it.
- A signature in an organisation's name (a vote, a measure, a round's announcement, a
  compliance confirmation: ``policy.SIGNED_ACTS``) asks for a fresh code typed for that act,
  checked once, in the service that signs (``check_signature_code``); so does replacing one's
  authenticator (``check_fresh``). Codes are single-use.
- Authenticators change only here, each change with its ledger entry: set up, replaced,
  removed by the secretariat (``authenticator_remove``). Their keys are shown once, while
  being set up, and never again (the admin shows no key: accounts/admin.py), and are stored
  sealed (``security.models.Authenticator``, accounts/sealing.py).

Who must have one and which acts are signatures is the policy's (policy/factors.py).
"""

from __future__ import annotations

import secrets

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.sealing import seal
from truceline.accounts.services import user_sign_out_everywhere
from truceline.core.errors import Forbidden, Invalid
from truceline.ledger.services import event_append
from truceline.policy.credentials import needs_second_admin
from truceline.policy.factors import (
    may_remove_authenticator,
    needs_fresh_code,
    second_factor_required,
)
from truceline.security.models import Authenticator, ChangeKind, CredentialChange

DEVICE_NAME = "authenticator"


def required_for(user: AbstractBaseUser | AnonymousUser) -> bool:
    return second_factor_required(user)


def device_of(user: AbstractBaseUser) -> Authenticator | None:
    """The user's confirmed authenticator, if any."""
    return Authenticator.objects.filter(user=user, confirmed=True).order_by("-id").first()


def authenticator_new(
    user: AbstractBaseUser, *, name: str = DEVICE_NAME, key: bytes | None = None, confirmed: bool
) -> Authenticator:
    """The one place an authenticator is made: a random 20-byte key (or ``key``), sealed
    (accounts/sealing.py). Enrolment makes it unconfirmed; the demo and the tests confirmed."""
    raw = key if key is not None else secrets.token_bytes(20)
    return Authenticator.objects.create(
        user=user, name=name, key=seal(raw, user_id=user.pk), confirmed=confirmed
    )


def verify(device: TOTPDevice, code: str) -> bool:
    code = (code or "").strip().replace(" ", "")
    return code.isdigit() and len(code) == device.digits and bool(device.verify_token(code))


def check_fresh(user: AbstractBaseUser, code: str) -> None:
    """A code typed now for this act, or Invalid on the field ``code``."""
    device = device_of(user)
    if device is None:
        raise Invalid({"code": [gettext("set up an authenticator first (your account page)")]})
    if not verify(device, code):
        raise Invalid({"code": [gettext("the authentication code is wrong or was already used")]})


def check_signature_code(user: AbstractBaseUser, code: str, *, act: str) -> None:
    """The fresh code a signature in the organisation's name takes (``policy.SIGNED_ACTS``),
    or Invalid on ``code``. Services call it once their cheap refusals (403, 409) are past and
    before their own transaction, so that a wrong code counts towards django-otp's wait even
    though the act is refused."""
    if not needs_fresh_code(act):
        raise LookupError(f"{act!r} is not a signed act (policy/factors.py)")
    check_fresh(user, code)


def enrolment_start(user: AbstractBaseUser) -> TOTPDevice:
    """A new, unconfirmed authenticator for the user (replacing any unconfirmed one)."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return authenticator_new(user, confirmed=False)


def enrolment_confirm(user: AbstractBaseUser, device: TOTPDevice, code: str) -> TOTPDevice:
    """Confirm a new authenticator with a code from it; the old one stops working, and so do
    the person's API tokens and other sessions (the view keeps the session that confirmed)."""
    if device.confirmed or device.user_id != user.pk:
        raise Invalid({"code": [gettext("start again: this set-up is no longer pending")]})
    if not verify(device, code):
        raise Invalid(
            {"code": [gettext("the code does not match; check the phone's clock and retry")]}
        )
    with transaction.atomic():
        replaced = TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk)
        had_one = replaced.exists()
        replaced.delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        kind = "user.second-factor-replaced" if had_one else "user.second-factor-set"
        event_append(
            actor=user,
            kind=kind,
            object_type="user",
            object_id=user.get_username(),
            payload={"username": user.get_username()},
        )
        # Whoever set up the old one (or signed in before there was one) keeps nothing.
        user_sign_out_everywhere(actor=user, user=user, because=kind.removeprefix("user."))  # type: ignore[arg-type]
    return device


def authenticator_remove(*, actor: AbstractBaseUser, device: TOTPDevice) -> CredentialChange | None:
    """The secretariat takes away a lost authenticator. Its owner's sessions end and API tokens
    are revoked, and the owner sets up a new one at the next sign-in. On the ledger; the key is
    gone with the device. The authenticator of a person whose role requires one is removed only
    once a second admin approves (policy/credentials.py): the held change is returned."""
    if not may_remove_authenticator(actor):
        raise Forbidden(gettext("only the secretariat removes an authenticator"))
    owner = device.user
    if needs_second_admin(actor, owner):
        from truceline.accounts.credentials import change_hold

        return change_hold(
            actor=actor,
            user=owner,  # type: ignore[arg-type]
            kind=ChangeKind.SECOND_FACTOR_REMOVED,
            detail={"device": device.pk},
        )
    with transaction.atomic():
        authenticator_remove_apply(actor=actor, device_id=device.pk)
    return None


def authenticator_remove_apply(*, actor: AbstractBaseUser, device_id: int) -> None:
    """Remove the device (an unheld removal, or an approved one), inside the caller's
    transaction; nothing is recorded when it is gone already or was never confirmed."""
    device = TOTPDevice.objects.select_related("user").filter(pk=device_id).first()
    if device is None:
        return
    owner, confirmed = device.user, device.confirmed
    TOTPDevice.objects.filter(pk=device_id).delete()
    if not confirmed:
        return  # a set-up never finished: no second factor changed
    event_append(
        actor=actor,
        kind="user.second-factor-removed",
        object_type="user",
        object_id=owner.get_username(),
        payload={"username": owner.get_username()},
    )
    user_sign_out_everywhere(actor=actor, user=owner, because="second-factor-removed")
