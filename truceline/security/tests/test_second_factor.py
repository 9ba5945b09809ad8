"""The second factor wherever it is promised, and no change off the ledger (DESIGN.md, "Who
sees what"): a session whose second factor is pending reaches no page, API call, export or
admin view; the admin signs in through the project's sign-in; a session's write to the API
needs its CSRF token; every act signed in an organisation's name takes a fresh code; and
passwords and authenticators change in the admin only through services with ledger entries,
the authenticators' keys never shown."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.contrib import admin
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

import truceline
from truceline.accounts.models import User
from truceline.accounts.testing import authenticator, force_sign_in, fresh_code
from truceline.accounts.twofactor import authenticator_remove
from truceline.core.errors import Forbidden
from truceline.findings.models import SigningKey
from truceline.followup.models import Assessment, Measure
from truceline.ledger.models import Event, LedgerKey
from truceline.policy import SIGNED_ACTS
from truceline.scenario.models import Round
from truceline.testing.builders import make_recorded_round
from truceline.testing.incidents import make_incident
from truceline.testing.people import PASSWORD, totp_code

pytestmark = pytest.mark.django_db

MECHANISM = ["qa-monitor", "qa-signatory", "admin"]
PAGES = ["/", "/reports/new/", "/agreement/", "/exports/", "/exports/incidents.csv", "/ledger/"]
API = ["/api/v1/map", "/api/v1/exports/incidents.csv", "/api/v1/scenario", "/api/v1/me"]
ADMIN = ["/admin/", "/admin/accounts/user/", "/admin/ledger/event/", "/admin/otp_totp/totpdevice/"]


def _password_only(client: Client, user: User, *, has_authenticator: bool) -> Client:
    """A session signed in by password alone: through /signin/ for one who has no
    authenticator yet, and for one who has, as Django's stock admin sign-in used to make."""
    if has_authenticator:
        authenticator(user)
        client.force_login(user)
    else:
        response = client.post("/signin/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302 and "_auth_user_id" in client.session
    return client


def _verify(client: Client, user: User) -> None:
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
    session.save()


def _reaches_nothing(client: Client) -> None:
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"] == "/account/two-factor/", path  # enrolment, or its code
    for path in API:
        response = client.get(path)
        assert response.status_code == 401, path
        assert response.json()["error"]["code"] == "unauthenticated", path
    for path in ADMIN:
        response = client.get(path)
        assert response.status_code == 302 and "/admin/" not in response["Location"], path


@pytest.mark.parametrize("has_authenticator", [False, True], ids=["none-yet", "password-only"])
@pytest.mark.parametrize("username", MECHANISM)
def test_a_session_without_its_second_factor_reaches_nothing(
    people: dict[str, User], username: str, has_authenticator: bool
) -> None:
    user = people[username]
    client = _password_only(Client(), user, has_authenticator=has_authenticator)
    _reaches_nothing(client)
    assert client.get("/account/two-factor/").status_code == 200  # setting one up is open
    # Once verified, the same session reaches what the role may.
    _verify(client, user)
    assert client.get("/reports/new/").status_code in {200, 404}
    assert client.get("/api/v1/map").status_code == 200
    assert client.get("/api/v1/exports/incidents.csv").status_code == 200
    assert client.get("/admin/").status_code == (200 if username == "admin" else 302)


@pytest.mark.parametrize("username", MECHANISM)
def test_the_api_and_the_admin_hold_without_the_middleware(
    people: dict[str, User], settings: Any, username: str
) -> None:
    """The middleware answers first; the API's auth and the admin's own gate refuse a
    pending session by themselves too."""
    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "truceline.accounts.middleware.SecondFactorRequired"
    ]
    client = _password_only(Client(), people[username], has_authenticator=True)
    for path in ["/api/v1/map", "/api/v1/exports/incidents.csv"]:
        assert client.get(path).status_code == 401, path
    for path in ADMIN:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
        follow = client.get(response["Location"])
        assert follow.status_code == 302 and follow["Location"].startswith("/signin/")


def test_the_admin_signs_in_only_through_the_project_sign_in(people: dict[str, User]) -> None:
    admin_user = people["admin"]
    authenticator(admin_user)
    client = Client()
    # Django's own sign-in page is gone: it sends to the project's, with where to go after.
    response = client.get("/admin/login/?next=/admin/ledger/event/")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/admin/ledger/event/"
    # Its form, posted to anyway, signs nobody in.
    response = client.post(
        "/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302 and response["Location"].startswith("/signin/")
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
    # The project's sign-in wants the code, and then opens the admin.
    refused = client.post(
        "/signin/", {"username": "admin", "password": PASSWORD, "next": "/admin/"}
    )
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    response = client.post(
        "/signin/",
        {
            "username": "admin",
            "password": PASSWORD,
            "code": totp_code(admin_user),
            "next": "/admin/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/admin/"
    page = client.get("/admin/")
    assert page.status_code == 200 and b"Truceline secretariat" in page.content
    # An admin with no authenticator yet is sent to set one up before anything else.
    TOTPDevice.objects.filter(user=admin_user).delete()
    fresh = Client()
    fresh.post("/signin/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert fresh.get("/admin/")["Location"] == "/account/two-factor/"


@pytest.mark.urls("truceline.security.tests.session_urls")
def test_a_session_write_to_the_api_needs_its_csrf_token_and_second_factor(
    api: Any, people: dict[str, User]
) -> None:
    monitor = people["qa-monitor"]
    browser = force_sign_in(Client(enforce_csrf_checks=True), monitor)
    assert browser.get("/").status_code == 200  # a page: the CSRF cookie
    token = browser.cookies["csrftoken"].value
    refused = browser.post("/api/session-test/whoami", content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"
    done = browser.post(
        "/api/session-test/whoami", content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert done.status_code == 200 and done.json() == {"username": "qa-monitor"}
    # A session without its second factor gets nothing, CSRF token or not.
    pending = _password_only(
        Client(enforce_csrf_checks=True), people["tr-monitor"], has_authenticator=True
    )
    pending.get("/account/two-factor/")
    response = pending.post(
        "/api/session-test/whoami",
        content_type="application/json",
        HTTP_X_CSRFTOKEN=pending.cookies["csrftoken"].value,
    )
    assert response.status_code == 401
    # A token is its own credential (no cookie, nothing to forge): no CSRF token asked.
    response = Client(enforce_csrf_checks=True).post(
        "/api/session-test/whoami",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token('tr-monitor')}",
    )
    assert response.status_code == 200 and response.json() == {"username": "tr-monitor"}
    # The product's own writes take a token, never the session, even with its CSRF token.
    response = browser.post(
        "/api/v1/rounds", {}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 401


# ---- Every act signed in an organisation's name takes a fresh code ------------------------


def _vote(people: dict[str, User]) -> dict[str, Any]:
    finding = make_incident(people, "finding-drafted").findings.get()
    return {
        "api": (f"/findings/{finding.pk}/votes", {"vote": "endorse"}),
        "web": (f"/findings/{finding.pk}/vote/", {"vote": "endorse"}),
        "done": lambda: finding.votes.filter(organisation_id="qatar").exists(),
    }


def _measure(people: dict[str, User]) -> dict[str, Any]:
    finding = make_incident(people, "published").findings.get(status="published")
    body = {"party": "afghanistan", "kind": "warning", "text": "A warning."}
    return {
        "api": (f"/findings/{finding.pk}/measures", body),
        "web": (f"/measures/{finding.pk}/decide", body),
        "done": lambda: Measure.objects.filter(finding=finding).exists(),
    }


def _round(people: dict[str, User]) -> dict[str, Any]:
    slug = make_recorded_round(people).slug
    return {
        "api": (f"/rounds/{slug}/announce", {}),
        "web": (f"/agreement/rounds/{slug}/announce", {}),
        "done": lambda: Round.objects.get(pk=slug).announced_at is not None,
    }


def _assessment(people: dict[str, User]) -> dict[str, Any]:
    from truceline.followup.compliance import assessment_propose

    cell = "no-cross-border-fire/afghanistan/2025-11"
    proposed = assessment_propose(
        actor=people["qa-monitor"],
        commitment="no-cross-border-fire",
        party="afghanistan",
        period="2025-11",
        status="partly",
        reasons="two confirmed incidents",
    )
    return {
        "api": (f"/compliance/{cell}/confirm", {}),
        "web": (f"/compliance/{cell}/", {"step": "confirm"}),
        "done": lambda: Assessment.objects.get(pk=proposed.pk).confirmed_at is not None,
    }


SIGNED = {
    "finding.vote": _vote,
    "measure.decide": _measure,
    "round.announce": _round,
    "assessment.confirm": _assessment,
}


def test_every_signed_act_of_the_policy_is_driven_here() -> None:
    assert set(SIGNED) == set(SIGNED_ACTS)


@pytest.mark.parametrize("act", sorted(SIGNED))
def test_a_signed_act_needs_a_fresh_code_on_the_web_and_through_the_api(
    api: Any, people: dict[str, User], act: str
) -> None:
    signatory = people["qa-signatory"]
    case = SIGNED[act](people)
    path, body = case["api"]
    # Through the API, with a token: no code, then a wrong one, are refused on "code".
    status, answer = api.post(path, body, as_="qa-signatory")
    assert status == 422 and "code" in answer["error"]["fields"], answer
    good = fresh_code(signatory)
    wrong = f"{(int(good) + 500_000) % 1_000_000:06d}"
    status, answer = api.post(path, {**body, "code": wrong}, as_="qa-signatory")
    assert status == 422 and "code" in answer["error"]["fields"], answer
    TOTPDevice.objects.filter(user=signatory).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    # On the web, from a verified session: not without a code either.
    page, form = case["web"]
    browser = force_sign_in(Client(), signatory)
    assert browser.post(page, form).status_code in {302, 422}
    assert not case["done"]()
    # With the code typed for it, it is done, once.
    assert browser.post(page, {**form, "code": fresh_code(signatory)}).status_code == 302
    assert case["done"]()


def test_every_use_of_an_organisations_key_asks_for_the_code_in_its_service() -> None:
    """Whatever signs with a guarantor's key (``keys.sign``) checks the fresh code in the same
    function: a new signing path without it fails here."""
    root = Path(truceline.__file__).parent
    signers: list[str] = []
    for file in root.rglob("*.py"):
        if "tests" in file.parts or file.name == "keys.py":
            continue
        tree = ast.parse(file.read_text())
        for fn in ast.walk(tree):
            if not isinstance(fn, ast.FunctionDef):
                continue
            calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call)]
            names = {ast.unparse(c.func) for c in calls}
            if "keys.sign" in names:
                signers.append(f"{file.relative_to(root)}:{fn.name}")
                assert "twofactor.check_signature_code" in names, f"{file}:{fn.name}"
    assert sorted(signers) == [
        "findings/services.py:finding_vote",
        "followup/services.py:measure_decide",
    ]


# ---- No change off the ledger -------------------------------------------------------------


def test_the_admin_sets_passwords_through_the_ledger(people: dict[str, User], login: Any) -> None:
    client = login("admin")
    user = people["af-liaison"]
    url = f"/admin/accounts/user/{user.pk}/password/"
    assert client.get(url).status_code == 200
    new = "another long passphrase 42"
    form = {"usable_password": "true", "password1": new, "password2": new, "set-password": ""}
    assert client.post(url, form).status_code == 302
    user.refresh_from_db()
    assert user.check_password(new)
    event = Event.objects.get(kind="user.password-set", object_id="af-liaison")
    assert event.actor_id == people["admin"].pk and new not in event.payload
    # A refused form changes nothing and records nothing.
    assert client.post(url, {**form, "password2": "not the same"}).status_code == 200
    assert Event.objects.filter(kind="user.password-set").count() == 1
    # Turning password sign-in off is on the ledger too.
    assert client.post(url, {"usable_password": "false", "unset-password": ""}).status_code == 302
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert Event.objects.filter(kind="user.password-disabled", object_id="af-liaison").exists()


def test_the_admins_own_password_changes_through_the_ledger(
    people: dict[str, User], login: Any
) -> None:
    client = login("admin")
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/account/password/"
    new = "the admin's new passphrase"
    response = client.post(
        "/account/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    people["admin"].refresh_from_db()
    assert people["admin"].check_password(new)
    assert Event.objects.filter(kind="user.password-set", object_id="admin").exists()
    assert client.get("/admin/").status_code == 200  # still signed in, still verified
    wrong = client.post(
        "/account/password/", {"old_password": "guess", "new_password1": new, "new_password2": new}
    )
    assert wrong.status_code == 422
    assert Event.objects.filter(kind="user.password-set", object_id="admin").count() == 1


def test_authenticators_in_the_admin_show_no_key_and_change_only_on_the_ledger(
    people: dict[str, User], login: Any
) -> None:
    monitor = people["qa-monitor"]
    device = authenticator(monitor)
    session = force_sign_in(Client(), monitor)
    client = login("admin")
    listing = client.get("/admin/otp_totp/totpdevice/")
    assert listing.status_code == 200 and b"qa-monitor" in listing.content
    base = f"/admin/otp_totp/totpdevice/{device.pk}"
    page = client.get(f"{base}/change/")
    assert page.status_code == 200
    for shown in (listing, page):
        assert device.key not in shown.content.decode() and b"qrcode" not in shown.content
        assert b"otpauth" not in shown.content
    assert 'name="_save"' not in page.content.decode()
    for gone in ("config", "qrcode"):  # django-otp's key and QR code pages: not there
        response = client.get(f"{base}/{gone}/", follow=True)
        assert device.key not in response.content.decode() and b"otpauth" not in response.content
        assert response.redirect_chain[-1][0] == "/admin/"  # "no such object", to the index
    assert client.get("/admin/otp_totp/totpdevice/add/").status_code == 403
    assert client.get(f"{base}/delete/").status_code == 403
    client.post(f"{base}/change/", {"name": "renamed", "key": "00" * 20, "confirmed": "on"})
    device.refresh_from_db()
    assert device.name != "renamed" and device.key != "00" * 20
    # The action on a monitor's asks a second admin (security/tests/test_two_person.py);
    # a liaison's goes at once: on the ledger, and its owner's sessions end
    # (security/tests/test_credentials.py).
    response = client.post(
        "/admin/otp_totp/totpdevice/", {"action": "remove", "_selected_action": [device.pk]}
    )
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(pk=device.pk).exists()
    event = Event.objects.get(kind="user.change-requested", object_id="qa-monitor")
    assert event.actor_id == people["admin"].pk
    assert session.get("/reports/new/").status_code == 200
    # Nobody but the secretariat may; nor are signing keys in the admin at all.
    with pytest.raises(Forbidden):
        authenticator_remove(actor=people["qa-monitor"], device=authenticator(people["tr-monitor"]))
    assert not admin.site.is_registered(SigningKey) and not admin.site.is_registered(LedgerKey)


def test_a_person_made_in_the_admin_is_on_the_ledger(login: Any) -> None:
    client = login("admin")
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "qa-monitor-2",
            "usable_password": "true",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "organisation": "qatar",
            "role": "monitor",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = Event.objects.get(kind="user.created", object_id="qa-monitor-2")
    assert "passphrase" not in event.payload
    assert not User.objects.get(username="qa-monitor-2").is_staff
