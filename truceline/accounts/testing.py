"""Signing a test client in as a person would, second factor included (tests, benchmarks)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.models import User
from truceline.accounts.twofactor import authenticator_new, required_for
from truceline.security.models import Authenticator


def authenticator(user: User) -> Authenticator:
    """The user's confirmed authenticator (its key sealed, as enrolment makes it), made on
    first use."""
    device = Authenticator.objects.filter(user=user, confirmed=True).first()
    return device or authenticator_new(user, name="test", confirmed=True)


def force_sign_in(client: Client, user: User) -> Client:
    """``force_login``, and for whoever must have one, the authenticator verified."""
    client.force_login(user)
    if required_for(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
        session.save()
    return client


def fresh_code(user: Any) -> str:
    """A code the person's authenticator shows now, for a signature (``policy.SIGNED_ACTS``)
    driven through a service. Codes are single-use: the device forgets the last one used, so a
    test may sign twice within 30 seconds (replay has its own test). The public has no
    authenticator: an empty code."""
    if not getattr(user, "is_authenticated", False):
        return ""
    device = authenticator(user)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"
