"""A credential that changes takes every way in that the old one opened with it: a new
password or a new (or removed) authenticator revokes the person's API tokens and ends their
other sessions, on the ledger, whoever made the change (docs/security.md, threat model 3)."""

from __future__ import annotations

import base64
import importlib
import json
import re
from typing import Any

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.models import ApiToken, User
from truceline.accounts.testing import authenticator, force_sign_in
from truceline.ledger.models import Event
from truceline.security.models import Authenticator
from truceline.testing.people import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

NEW = "a brand new passphrase 77"


def _live_tokens(user: User) -> int:
    return ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()


def _revocation(username: str) -> tuple[Event, dict[str, Any]]:
    event = Event.objects.get(kind="user.signed-out-everywhere", object_id=username)
    return event, json.loads(event.payload)


def _signed_out(client: Client) -> bool:
    response = client.get("/reports/new/")
    return response.status_code == 302 and response["Location"].startswith("/signin/")


def test_a_new_password_revokes_the_tokens_and_ends_the_other_sessions(
    api: Any, people: dict[str, User]
) -> None:
    liaison = people["pk-liaison"]
    api.token("pk-liaison")
    assert api.get("/me", as_="pk-liaison")[0] == 200
    here, elsewhere = force_sign_in(Client(), liaison), force_sign_in(Client(), liaison)
    assert here.get("/reports/new/").status_code == 200
    assert elsewhere.get("/reports/new/").status_code == 200
    # A refused form (the old password wrong) changes nothing.
    refused = here.post(
        "/account/password/",
        {"old_password": "a guess", "new_password1": NEW, "new_password2": NEW},
    )
    assert refused.status_code == 422
    assert _live_tokens(liaison) == 1 and not _signed_out(elsewhere)
    response = here.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert here.get("/reports/new/").status_code == 200  # the session that changed it goes on
    assert _signed_out(elsewhere)
    assert api.get("/me", as_="pk-liaison")[0] == 401
    assert _live_tokens(liaison) == 0
    event, payload = _revocation("pk-liaison")
    assert payload["tokens"] == 1 and payload["because"] == "password-set"
    assert event.actor_id == liaison.pk
    assert api.get("/me", as_="af-liaison")[0] == 200  # nobody else's


def test_a_password_set_by_the_admin_ends_every_session_and_token(
    api: Any, people: dict[str, User], login: Any
) -> None:
    liaison = people["af-liaison"]
    api.token("af-liaison")
    officer = force_sign_in(Client(), liaison)
    admin = login("admin")
    form = {"usable_password": "true", "password1": NEW, "password2": NEW, "set-password": ""}
    assert admin.post(f"/admin/accounts/user/{liaison.pk}/password/", form).status_code == 302
    assert _signed_out(officer)
    assert api.get("/me", as_="af-liaison")[0] == 401
    event, payload = _revocation("af-liaison")
    assert event.actor_id == people["admin"].pk and payload["tokens"] == 1
    assert admin.get("/admin/").status_code == 200  # the admin's own session is untouched


def _enrol(client: Client, *, current: TOTPDevice | None) -> int:
    page = client.get("/account/two-factor/")
    assert page.status_code == 200
    pk = int(re.search(r'name="device" value="(\d+)"', page.content.decode()).group(1))  # type: ignore[union-attr]
    pending = Authenticator.objects.get(pk=pk)
    form = {
        "device": str(pk),
        "code": f"{totp(pending.bin_key, pending.step, pending.t0, pending.digits):06d}",
    }
    if current is not None:
        form["current_code"] = totp_code(current.user)
    return client.post("/account/two-factor/", form).status_code


@pytest.mark.parametrize("has_one", [False, True], ids=["first", "replaced"])
def test_a_new_authenticator_revokes_the_tokens_and_ends_the_other_sessions(
    api: Any, people: dict[str, User], has_one: bool
) -> None:
    liaison = people["pk-liaison"]
    current = authenticator(liaison) if has_one else None
    api.token("pk-liaison")
    here, elsewhere = force_sign_in(Client(), liaison), force_sign_in(Client(), liaison)
    assert not _signed_out(elsewhere)
    assert _enrol(here, current=current) == 302
    assert here.get("/reports/new/").status_code == 200
    assert _signed_out(elsewhere)
    assert api.get("/me", as_="pk-liaison")[0] == 401
    _event, payload = _revocation("pk-liaison")
    expected = "second-factor-replaced" if has_one else "second-factor-set"
    assert payload == {"username": "pk-liaison", "tokens": 1, "because": expected}


def test_an_authenticator_removed_by_the_admin_ends_its_owners_sessions_and_tokens(
    api: Any, people: dict[str, User], login: Any
) -> None:
    liaison = people["pk-liaison"]
    device = authenticator(liaison)
    api.token("pk-liaison")
    officer = force_sign_in(Client(), liaison)
    admin = login("admin")
    response = admin.post(
        "/admin/otp_totp/totpdevice/", {"action": "remove", "_selected_action": [device.pk]}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert _signed_out(officer)
    assert api.get("/me", as_="pk-liaison")[0] == 401
    assert _revocation("pk-liaison")[1]["because"] == "second-factor-removed"


# ---- Authenticator keys are sealed at rest --------------------------------------------------


def test_authenticator_keys_are_sealed_at_rest_and_a_copied_key_opens_nothing(
    people: dict[str, User],
) -> None:
    """Enrolment through the product stores the key sealed; django-otp's own verification
    (sign-in with a code) works through it; a sealed key copied onto another person's row, or
    a key written in clear around the service, matches no code."""
    client = Client()
    assert client.post("/signin/", {"username": "qa-monitor", "password": PASSWORD}).status_code
    page = client.get("/account/two-factor/")
    shown = page.context["key"].replace(" ", "")
    raw = base64.b32decode(shown + "=" * (-len(shown) % 8))
    pending = page.context["device"]
    row = TOTPDevice.objects.get(pk=pending.pk)
    assert row.key.startswith("s1:") and raw.hex() not in row.key  # not in clear
    code = f"{totp(raw, 30, 0, 6):06d}"
    assert client.post("/account/two-factor/", {"device": pending.pk, "code": code}).url == "/"
    # The stock path (SignInForm -> django-otp's verify_token) opens the sealed key.
    TOTPDevice.objects.filter(pk=pending.pk).update(last_t=-1)
    signed_in = Client().post(
        "/signin/",
        {"username": "qa-monitor", "password": PASSWORD, "code": f"{totp(raw):06d}"},
    )
    assert signed_in.status_code == 302
    # Copied to another person (whose code the copier knows), the sealed key opens nothing.
    other = authenticator(people["tr-monitor"])
    TOTPDevice.objects.filter(pk=other.pk).update(key=row.key, last_t=-1)
    thief = Client()
    refused = thief.post(
        "/signin/", {"username": "tr-monitor", "password": PASSWORD, "code": f"{totp(raw):06d}"}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in thief.session
    # Nor does a key written in clear, around authenticator_new.
    TOTPDevice.objects.filter(pk=other.pk).update(key=raw.hex(), last_t=-1)
    refused = Client().post(
        "/signin/", {"username": "tr-monitor", "password": PASSWORD, "code": f"{totp(raw):06d}"}
    )
    assert refused.status_code == 200


def test_the_migration_seals_keys_stored_in_clear_and_back(people: dict[str, User]) -> None:
    from django.apps import apps as live

    migration = importlib.import_module("truceline.security.migrations.0005_authenticator")
    raw = bytes(range(20))
    old = TOTPDevice.objects.create(user=people["af-liaison"], key=raw.hex(), confirmed=True)
    migration.seal_keys(live, None)
    stored = TOTPDevice.objects.get(pk=old.pk).key
    assert stored.startswith("s1:") and raw.hex() not in stored
    assert Authenticator.objects.get(pk=old.pk).bin_key == raw
    migration.seal_keys(live, None)  # twice: sealed once
    assert TOTPDevice.objects.get(pk=old.pk).key == stored
    migration.open_keys(live, None)
    assert TOTPDevice.objects.get(pk=old.pk).key == raw.hex()
