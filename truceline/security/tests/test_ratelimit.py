"""Rate limits on sign-in, submissions and exports: 429 with Retry-After, counted per client
(per address for sign-in), nothing done for a refused request, the first refusal recorded."""

from __future__ import annotations

import json
import os

import pytest
from django.test import Client

from truceline.accounts.testing import force_sign_in
from truceline.idempotency.models import IdempotencyKey
from truceline.reports.models import Report
from truceline.security import ratelimit
from truceline.security.models import Kind, SecurityEvent
from truceline.testing.story import REPORT

pytestmark = pytest.mark.django_db


@pytest.fixture
def limits(settings):  # type: ignore[no-untyped-def]
    settings.TRUCELINE_RATE_LIMITS = {"signin": "3/h", "submit": "2/m", "export": "2/h"}
    return settings.TRUCELINE_RATE_LIMITS


def _submit(api, as_, key):  # type: ignore[no-untyped-def]
    body = REPORT if as_ == "pk-liaison" else {**REPORT, "accused_party": "pakistan"}
    return api.client.post(
        "/api/v1/reports",
        json.dumps({**body, "origin": body["accused_party"]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.token(as_)}",
        HTTP_IDEMPOTENCY_KEY=key,
    )


@pytest.mark.parametrize(
    ("text", "rate"),
    [("30/m", (30, 60)), ("100/5m", (100, 300)), (" 7 / d ", (7, 86400)), ("", None)],
)
def test_rates_are_read(text, rate) -> None:  # type: ignore[no-untyped-def]
    assert ratelimit.parse_rate(text) == rate


@pytest.mark.parametrize("text", ["30", "30/w", "x/m", "5/2d", "5/0s"])
def test_a_rate_that_is_no_rate_is_refused(text) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"rate|window"):
        ratelimit.parse_rate(text)


def test_submissions_over_the_limit_get_429_and_change_nothing(api, limits, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert _submit(api, "pk-liaison", "a").status_code == 201
    assert _submit(api, "pk-liaison", "b").status_code == 201
    for _ in range(3):
        refused = _submit(api, "pk-liaison", "c")
        assert refused.status_code == 429
        assert refused.json()["error"]["code"] == "rate-limited"
        assert 1 <= int(refused["Retry-After"]) <= 60
    assert Report.objects.count() == 2
    assert not IdempotencyKey.objects.filter(key="c").exists()  # the retry will run
    # once per client and window, however many refusals
    recorded = SecurityEvent.objects.get(kind=Kind.RATE_LIMITED)
    assert recorded.username == "pk-liaison" and recorded.detail["rule"] == "submit"
    # the other party's liaison has an allowance of its own
    assert _submit(api, "af-liaison", "c").status_code == 201
    # the next window: the refused request, retried with its key, runs
    later = ratelimit.time.time() + 61
    monkeypatch.setattr(ratelimit.time, "time", lambda: later)
    assert _submit(api, "pk-liaison", "c").status_code == 201
    assert Report.objects.count() == 4


def test_sign_in_is_counted_per_address(people, limits) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(3):
        response = client.post("/signin/", {"username": "nobody", "password": "x"})
        assert response.status_code == 200
    refused = client.post("/signin/", {"username": "pk-liaison", "password": "x"})
    assert refused.status_code == 429 and "Retry-After" in refused
    assert b"Too many requests" in refused.content
    elsewhere = client.post(
        "/signin/", {"username": "nobody", "password": "x"}, REMOTE_ADDR="192.0.2.7"
    )
    assert elsewhere.status_code == 200
    assert SecurityEvent.objects.filter(kind=Kind.RATE_LIMITED, address="127.0.0.1").count() == 1


def test_the_report_page_and_exports_are_limited(people, limits) -> None:  # type: ignore[no-untyped-def]
    client = force_sign_in(Client(), people["pk-liaison"])
    for _ in range(2):
        assert client.post("/reports/new/", {}).status_code != 429
    assert client.post("/reports/new/", {}).status_code == 429
    for _ in range(2):
        assert client.get("/exports/incidents.csv").status_code == 200
    assert client.get("/exports/incidents.csv").status_code == 429
    assert Client().get("/exports/incidents.csv").status_code == 200  # anyone else: own count


def test_a_rule_set_to_nothing_is_off(api, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_RATE_LIMITS = {"submit": ""}
    assert all(_submit(api, "pk-liaison", f"k{i}").status_code == 201 for i in range(5))


@pytest.mark.processes
def test_a_bad_rate_stops_the_server_at_start() -> None:
    import subprocess
    import sys

    env = {**os.environ, "TRUCELINE_RATE_SUBMIT": "lots"}
    done = subprocess.run(
        [sys.executable, "-m", "truceline", "check"], env=env, capture_output=True, text=True
    )
    assert done.returncode != 0
    assert "TRUCELINE_RATE_SUBMIT: not a rate: 'lots'" in done.stderr


def test_an_invented_session_cookie_counts_by_address(people, limits) -> None:  # type: ignore[no-untyped-def]
    """A cookie nobody signed in with is not an identity: a fresh one per request neither
    escapes the limit nor spends a signed-in officer's allowance."""
    for i in range(2):
        forged = Client()
        forged.cookies["sessionid"] = f"forged-{i}-" + "x" * 20
        assert forged.post("/reports/new/", {}).status_code != 429
    forged = Client()
    forged.cookies["sessionid"] = "forged-again-" + "y" * 20
    assert forged.post("/reports/new/", {}).status_code == 429
    officer = force_sign_in(Client(), people["pk-liaison"])  # counted as its user, on its own
    assert officer.post("/reports/new/", {}).status_code != 429


def test_officers_behind_the_trusted_proxy_are_counted_apart(people, limits, settings) -> None:  # type: ignore[no-untyped-def]
    """Behind the mechanism's reverse proxy every request comes from one address: the client is
    the hop the proxy appended, so one party's officers cannot lock out the other's, and no one
    picks an address by writing the header themselves."""
    settings.TRUCELINE_TRUSTED_PROXIES = ["10.9.0.0/16"]
    proxy = {"REMOTE_ADDR": "10.9.0.2"}

    def sign_in(forwarded: str, **extra: str) -> int:
        return (
            Client()
            .post(
                "/signin/",
                {"username": "nobody", "password": "x"},
                HTTP_X_FORWARDED_FOR=forwarded,
                **{**proxy, **extra},
            )
            .status_code
        )

    for _ in range(3):
        assert sign_in("198.51.100.4") == 200
    assert sign_in("198.51.100.4") == 429
    # what a client writes left of the proxy's own hop is not read
    assert sign_in("203.0.113.9, 198.51.100.4") == 429
    # the other party's officer, behind the same proxy, has an allowance of its own
    assert sign_in("203.0.113.9") == 200
    recorded = SecurityEvent.objects.get(kind=Kind.RATE_LIMITED)
    assert recorded.address == "198.51.100.4"
    # not from the proxy: the header is anyone's to write, the connection's address counts
    for _ in range(3):
        assert sign_in("192.0.2.1", REMOTE_ADDR="192.0.2.50") == 200
    assert sign_in("192.0.2.2", REMOTE_ADDR="192.0.2.50") == 429
