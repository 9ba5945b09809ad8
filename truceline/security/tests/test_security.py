"""Second factor, lockout, emergency revocation, and the record of refused access."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client
from django_otp.oath import totp

from truceline.accounts.models import ApiToken
from truceline.accounts.testing import authenticator, force_sign_in
from truceline.reports.models import Report
from truceline.security.models import Kind, SecurityEvent
from truceline.security.services import emergency_revoke
from truceline.testing.people import PASSWORD, totp_code
from truceline.testing.story import REPORT

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str = PASSWORD, code: str = "", **extra):  # type: ignore[no-untyped-def]
    return client.post(
        "/signin/", {"username": username, "password": password, "code": code}, **extra
    )


def _unthrottle(pk: int) -> None:
    """After a wrong code django-otp makes the device wait (1 s, doubling): skip the wait."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.filter(pk=pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )


def test_a_monitor_without_an_authenticator_must_set_one_up(people) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = sign_in(client, "qa-monitor")
    assert response.status_code == 302
    assert client.get("/reports/new/").url == "/account/two-factor/"  # every page sends there
    page = client.get("/account/two-factor/")
    assert page.status_code == 200 and b"<svg" in page.content
    device = page.context["device"]
    wrong = client.post("/account/two-factor/", {"device": device.pk, "code": "000000"})
    assert wrong.status_code == 422 and wrong.context["device"].pk == device.pk  # same key
    _unthrottle(device.pk)
    code = f"{totp(device.bin_key):06d}"
    assert client.post("/account/two-factor/", {"device": device.pk, "code": code}).url == "/"
    assert client.get("/reports/new/").status_code == 200


def test_sign_in_with_an_authenticator_asks_for_its_code(people) -> None:  # type: ignore[no-untyped-def]
    authenticator(people["qa-monitor"])
    client = Client()
    assert sign_in(client, "qa-monitor").status_code == 200  # form again, with the error
    assert "_auth_user_id" not in client.session
    assert sign_in(client, "qa-monitor", code=totp_code(people["qa-monitor"])).status_code == 302
    assert client.get("/reports/new/").status_code == 200
    # A liaison without one signs in with the password alone and is not sent anywhere.
    liaison = Client()
    assert sign_in(liaison, "pk-liaison").status_code == 302
    assert liaison.get("/reports/new/").status_code == 200


def test_a_vote_needs_a_fresh_code_and_a_code_works_once(api, people) -> None:  # type: ignore[no-untyped-def]
    from truceline.findings.models import Finding

    status, body = api.post("/reports", REPORT, as_="pk-liaison")
    incident = body["incident"]["id"]
    api.post(f"/incidents/{incident}/triage", {"admissible": True}, as_="qa-monitor")
    api.post(f"/incidents/{incident}/open", {}, as_="qa-monitor")
    from truceline.testing.story import FINDING

    status, finding = api.post(f"/incidents/{incident}/finding", FINDING, as_="qa-monitor")
    assert status == 201, finding
    vote = {"vote": "endorse"}
    refused = api.post(f"/findings/{finding['id']}/votes", vote, as_="qa-signatory")
    assert refused[0] == 422 and "code" in refused[1]["error"]["fields"]
    code = totp_code(people["qa-signatory"])
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert (
        api.post(f"/findings/{finding['id']}/votes", {**vote, "code": wrong}, as_="qa-signatory")[0]
        == 422
    )
    _unthrottle(authenticator(people["qa-signatory"]).pk)
    done = api.post(f"/findings/{finding['id']}/votes", {**vote, "code": code}, as_="qa-signatory")
    assert done[0] == 201, done
    assert Finding.objects.get(pk=finding["id"]).votes.count() == 1


def test_replayed_code_is_refused(people) -> None:  # type: ignore[no-untyped-def]
    from truceline.accounts.twofactor import check_fresh
    from truceline.core.errors import Invalid

    code = totp_code(people["tr-signatory"])
    check_fresh(people["tr-signatory"], code)
    with pytest.raises(Invalid):
        check_fresh(people["tr-signatory"], code)


def test_lockout_is_per_username_and_address_and_tells_the_admins(people, settings) -> None:  # type: ignore[no-untyped-def]
    people["admin"].email = "secretariat@example.org"
    people["admin"].save()
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, "pk-liaison", "guessing")
    locked = sign_in(attacker, "pk-liaison")  # even the right password, from there
    assert locked.status_code in {403, 429} and "_auth_user_id" not in attacker.session
    assert SecurityEvent.objects.filter(kind=Kind.LOCKOUT, username="pk-liaison").exists()
    assert any("pk-liaison" in m.subject for m in mail.outbox)
    # The officer, from the border post's own address, still signs in.
    officer = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(officer, "pk-liaison").status_code == 302


def test_lockout_behind_the_trusted_proxy_keys_on_the_client(people, settings) -> None:  # type: ignore[no-untyped-def]
    """Behind the reverse proxy, the attacker's guesses lock out the attacker's address only:
    the officer, coming through the same proxy from elsewhere, still signs in."""
    settings.TRUCELINE_TRUSTED_PROXIES = ["10.9.0.2"]
    attacker = Client(REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(attacker, "pk-liaison", "guessing")
    assert sign_in(attacker, "pk-liaison").status_code in {403, 429}
    lockouts = SecurityEvent.objects.filter(kind=Kind.LOCKOUT, username="pk-liaison")
    assert {event.address for event in lockouts} == {"203.0.113.9"}
    officer = Client(REMOTE_ADDR="10.9.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert sign_in(officer, "pk-liaison").status_code == 302


def test_emergency_revocation_ends_sessions_and_tokens(api, people) -> None:  # type: ignore[no-untyped-def]
    token = api.token("pk-liaison")
    browser = force_sign_in(Client(), people["pk-liaison"])
    assert browser.get("/reports/new/").status_code == 200
    counts = emergency_revoke(
        actor=None,
        users=people["pk-liaison"].__class__.objects.filter(organisation_id="pakistan"),
        reason="laptop seized at a checkpoint",
    )
    assert counts["users"] == 1 and counts["tokens"] == 1
    assert browser.get("/reports/new/").status_code == 302  # signed out
    assert api.get("/me", as_="pk-liaison")[0] == 401 and token
    assert ApiToken.objects.filter(user=people["pk-liaison"], revoked_at__isnull=True).count() == 0
    assert api.get("/me", as_="af-liaison")[0] == 200  # the other party is untouched
    assert SecurityEvent.objects.filter(kind=Kind.REVOKED, username="pk-liaison").exists()
    # And a new sign-in works (the password was not the leak).
    assert sign_in(Client(), "pk-liaison").status_code == 302


def test_refused_access_to_an_existing_object_is_recorded(api) -> None:  # type: ignore[no-untyped-def]
    _status, body = api.post("/reports", REPORT, as_="pk-liaison")
    report = body["report"]["id"]
    assert api.get(f"/reports/{report}", as_="af-liaison")[0] == 404
    assert api.get("/reports/REP-00000000", as_="af-liaison")[0] == 404  # none: not recorded
    denied = SecurityEvent.objects.get(kind=Kind.DENIED)
    assert (denied.username, denied.object_type, denied.object_id) == (
        "af-liaison",
        "reports.report",
        report,
    )
    assert denied.path == f"/api/v1/reports/{report}" and denied.method == "GET"
    assert Report.objects.count() == 1
