import datetime as dt
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from truceline.accounts.models import ApiToken, Role, User
from truceline.accounts.services import token_authenticate, token_create, token_digest, user_create
from truceline.core.errors import Invalid
from truceline.ledger.models import Event
from truceline.scenario.models import Organisation


@pytest.mark.django_db
def test_passwords_are_argon2_and_zone_follows_the_organisation(people) -> None:  # type: ignore[no-untyped-def]
    user = people["af-liaison"]
    assert user.password.startswith("argon2")
    assert user.time_zone == "Asia/Kabul"
    assert people["tr-monitor"].time_zone == "Europe/Istanbul"
    assert people["admin"].is_staff and not people["qa-monitor"].is_staff


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("org", "role"),
    [("pakistan", Role.MONITOR), ("pakistan", Role.ADMIN), ("qatar", Role.LIAISON)],
)
def test_role_must_fit_the_organisation(scenario, org: str, role: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        user_create(
            actor=None,
            username="x",
            organisation=Organisation.objects.get(pk=org),
            role=role,
            password=None,
        )
    assert not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_token_is_stored_as_its_sha256_and_shown_once(people) -> None:  # type: ignore[no-untyped-def]
    token, raw = token_create(actor=None, user=people["pk-liaison"])
    assert raw.startswith("tl_") and len(raw) > 40
    assert token.digest == token_digest(raw) and raw not in token.digest
    assert token.role == Role.LIAISON
    assert token_authenticate(raw) == people["pk-liaison"]
    assert token_authenticate(raw + "x") is None
    assert token_authenticate("not-a-token") is None
    created = Event.objects.get(kind="token.created", object_id=token.id)
    assert raw not in created.payload and token.digest not in created.payload


@pytest.mark.django_db
def test_token_expires_and_revokes(people) -> None:  # type: ignore[no-untyped-def]
    token, raw = token_create(actor=None, user=people["qa-monitor"], days=1)
    with time_machine.travel(timezone.now() + dt.timedelta(days=1, seconds=1)):
        assert token_authenticate(raw) is None
    from truceline.accounts.services import token_revoke

    token_revoke(actor=None, token=token)
    token_revoke(actor=None, token=token)
    assert token_authenticate(raw) is None
    assert Event.objects.filter(kind="token.revoked", object_id=token.id).count() == 1


@pytest.mark.django_db
def test_token_is_scoped_to_the_role_it_was_made_for(people) -> None:  # type: ignore[no-untyped-def]
    user = people["qa-monitor"]
    _t, raw = token_create(actor=None, user=user)
    user.role = Role.SIGNATORY
    user.save()
    assert token_authenticate(raw) is None
    user.role = Role.MONITOR
    user.is_active = False
    user.save()
    assert token_authenticate(raw) is None


@pytest.mark.django_db
def test_token_create_command_prints_the_token_and_nothing_else(people) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("token", "create", "tr-signatory", stdout=out)
    raw = out.getvalue().strip()
    assert "\n" not in raw and token_authenticate(raw) == people["tr-signatory"]
    assert ApiToken.objects.filter(user=people["tr-signatory"]).count() == 1


@pytest.mark.django_db
def test_token_api_lists_own_and_revokes(api, people) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get("/tokens", as_="pk-liaison")
    assert status == 200 and body["count"] == 1
    mine = body["items"][0]["id"]
    other, _raw = token_create(actor=None, user=people["af-liaison"])
    assert api.post(f"/tokens/{other.id}/revoke", as_="pk-liaison")[0] == 404
    status, body = api.get("/tokens", as_="admin")
    assert body["count"] == 3  # pk-liaison's, af-liaison's, the admin's own
    status, body = api.post(f"/tokens/{mine}/revoke", as_="pk-liaison")
    assert status == 200 and body["revoked_at"]
    assert api.get("/me", as_="pk-liaison")[0] == 401
