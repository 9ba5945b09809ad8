"""Signing a test client in as a person would, second factor included (tests, benchmarks)."""

from __future__ import annotations

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.models import User
from truceline.accounts.twofactor import required_for


def authenticator(user: User) -> TOTPDevice:
    """The user's confirmed TOTP device, made on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="test", confirmed=True)


def force_sign_in(client: Client, user: User) -> Client:
    """``force_login``, and for whoever must have one, the authenticator verified."""
    client.force_login(user)
    if required_for(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
        session.save()
    return client
