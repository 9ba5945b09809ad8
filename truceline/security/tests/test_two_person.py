"""One admin alone cannot take over a signatory (docs/security.md, threat model 4): through the
admin, the takeover's every step — the signatory's password, its authenticator, its role, a new
signatory of the guarantor — waits for a second, different admin; each request and decision is
on the ledger, and the signatory and the other admins are told."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from truceline.accounts.models import Role, User
from truceline.accounts.services import token_create, user_create
from truceline.accounts.testing import authenticator, force_sign_in
from truceline.core.errors import Forbidden
from truceline.ledger.models import Event
from truceline.scenario.models import Organisation
from truceline.security.models import ChangeState, CredentialChange
from truceline.testing.people import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "the rogue admin's passphrase"


@pytest.fixture
def admins(people: dict[str, User], password_hash: str) -> tuple[Client, Client]:
    """The cast's admin, and a second one, both signed in with their second factor."""
    second = user_create(
        actor=None,
        username="admin-2",
        organisation=Organisation.objects.get(pk="turkiye"),
        role=Role.ADMIN,
        password=None,
        email="admin-2@example.org",
    )
    User.objects.filter(pk=second.pk).update(password=password_hash)
    second.refresh_from_db()
    people["admin-2"] = second
    User.objects.filter(username="qa-signatory").update(email="signatory@example.org")
    return force_sign_in(Client(), people["admin"]), force_sign_in(Client(), second)


def _changes(username: str) -> list[CredentialChange]:
    return list(CredentialChange.objects.filter(user__username=username).order_by("requested_at"))


def _decide(client: Client, action: str, change: CredentialChange) -> Any:
    return client.post(
        "/admin/security/credentialchange/",
        {"action": action, "_selected_action": [change.pk]},
        follow=True,
    )


def test_one_admin_alone_cannot_take_over_a_signatory(
    people: dict[str, User], admins: tuple[Client, Client], django_capture_on_commit_callbacks: Any
) -> None:
    rogue, second = admins
    signatory = people["qa-signatory"]
    device = authenticator(signatory)
    officer = force_sign_in(Client(), signatory)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # the emails, after commit
        # 1. The signatory's password, set in the admin: held, not made.
        form = {"usable_password": "true", "password1": NEW, "password2": NEW, "set-password": ""}
        page = rogue.post(f"/admin/accounts/user/{signatory.pk}/password/", form, follow=True)
        assert page.status_code == 200 and b"waits for a second admin" in page.content
        signatory.refresh_from_db()
        assert signatory.check_password(PASSWORD) and not signatory.check_password(NEW)
        # 2. Its authenticator, removed in the admin: held; it still works.
        rogue.post(
            "/admin/otp_totp/totpdevice/", {"action": "remove", "_selected_action": [device.pk]}
        )
        assert TOTPDevice.objects.filter(pk=device.pk).exists()
        # 3. Its role, changed in the admin's form: held; the rest of the form is saved.
        rogue.post(
            f"/admin/accounts/user/{signatory.pk}/change/",
            {
                "username": "qa-signatory",
                "organisation": "qatar",
                "role": "admin",
                "time_zone": "Asia/Qatar",
                "is_active": "on",
                "first_name": "Renamed",
                "last_name": "",
                "email": "signatory@example.org",
            },
        )
        signatory.refresh_from_db()
        assert signatory.role == Role.SIGNATORY and not signatory.is_staff
        assert signatory.first_name == "Renamed"
        # 4. A new signatory of the guarantor, made in the admin: inactive until approved.
        rogue.post(
            "/admin/accounts/user/add/",
            {
                "username": "qa-signatory-2",
                "usable_password": "true",
                "password1": NEW,
                "password2": NEW,
                "organisation": "qatar",
                "role": "signatory",
            },
        )
        assert not User.objects.get(username="qa-signatory-2").is_active
    # Nothing of it happened; the signatory still works; each request is on the ledger and told.
    assert officer.get("/reports/new/").status_code in {200, 404}
    held = _changes("qa-signatory")
    assert [c.kind for c in held] == ["password-set", "second-factor-removed", "account"]
    assert all(c.state == ChangeState.PENDING for c in held)
    assert NEW not in str(held[0].detail) and held[0].detail["password"].startswith("argon2")
    requested = Event.objects.filter(kind="user.change-requested", actor_id=people["admin"].pk)
    assert requested.count() == 4
    assert not Event.objects.filter(kind="user.password-set", object_id="qa-signatory").exists()
    told = [m for m in mail.outbox if "signatory@example.org" in m.to]
    assert len(told) == 3 and all("admin-2@example.org" in m.to for m in told)
    # The rogue admin cannot approve its own request, nor can the signatory.
    page = _decide(rogue, "approve", held[0])
    assert b"a second admin decides" in page.content
    assert CredentialChange.objects.get(pk=held[0].pk).state == ChangeState.PENDING
    # A second admin refuses the removal and the role; approves the password.
    for change in held[1:]:
        assert _decide(second, "refuse", change).status_code == 200
    _decide(second, "approve", held[0])
    states = {c.kind: c.state for c in _changes("qa-signatory")}
    assert states == {
        "password-set": "approved",
        "second-factor-removed": "refused",
        "account": "refused",
    }
    signatory.refresh_from_db()
    assert signatory.check_password(NEW) and signatory.role == Role.SIGNATORY
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    approved = Event.objects.get(kind="user.change-approved", object_id="qa-signatory")
    assert approved.actor_id == people["admin-2"].pk
    made = Event.objects.get(kind="user.password-set", object_id="qa-signatory")
    assert made.actor_id == people["admin-2"].pk
    assert Event.objects.filter(kind="user.change-refused", object_id="qa-signatory").count() == 2
    assert _changes("qa-signatory")[0].detail == {}  # the hash is gone once decided
    assert officer.get("/reports/new/").status_code == 302  # the new password ended it
    # Deciding twice changes nothing.
    page = _decide(second, "approve", held[1])
    assert b"already decided" in page.content
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_rule_binds_only_changes_by_someone_else_to_second_factor_people(
    people: dict[str, User], admins: tuple[Client, Client]
) -> None:
    rogue, _second = admins
    # A liaison's password is set at once (the liaison's role needs no second factor).
    liaison = people["af-liaison"]
    form = {"usable_password": "true", "password1": NEW, "password2": NEW, "set-password": ""}
    rogue.post(f"/admin/accounts/user/{liaison.pk}/password/", form)
    liaison.refresh_from_db()
    assert liaison.check_password(NEW) and not _changes("af-liaison")
    # Deactivating a signatory takes access away: at once.
    signatory = people["qa-signatory"]
    rogue.post(
        f"/admin/accounts/user/{signatory.pk}/change/",
        {
            "username": "qa-signatory",
            "organisation": "qatar",
            "role": "signatory",
            "time_zone": "Asia/Qatar",
            "first_name": "",
            "last_name": "",
            "email": "",
        },
    )
    signatory.refresh_from_db()
    assert not signatory.is_active and not _changes("qa-signatory")
    # No admin makes an API token for a second-factor person; the command line may.
    with pytest.raises(Forbidden):
        token_create(actor=people["admin"], user=people["qa-monitor"])
    assert token_create(actor=None, user=people["qa-monitor"])[0].user == people["qa-monitor"]
