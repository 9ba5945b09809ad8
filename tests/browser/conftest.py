"""Browser tests run the real product: `truceline demo --no-serve` on a fresh database, then
`truceline serve` (gunicorn) on a free loopback port, driven by Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django_otp.oath import totp

from truceline.core.harness import Deployment

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DEMO_PASSWORD = "browser-test-password-1"
DEMO_TOTP_KEY = "7275636531696e652d62726f777365722d746573"  # the demo mediators' authenticator
_last_step: dict[str, int] = {}


def demo_code(username: str) -> str:
    """A code from the demo authenticator that this user has not used yet. Codes are
    single-use: after this 30-second step's, the next step's (the server takes one step
    ahead), and after that, a wait for the clock."""
    while True:
        now = int(time.time()) // 30
        step = max(now, _last_step.get(username, -1) + 1)
        if step <= now + 1:
            break
        time.sleep(30.2 - time.time() % 30)
    _last_step[username] = step
    return f"{totp(bytes.fromhex(DEMO_TOTP_KEY), drift=step - now):06d}"


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in as a demo user: password, and the authenticator's code for the mechanism's
    people (liaisons of the demo have none)."""
    page.context.clear_cookies()
    page.goto("/signin/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    if not username.endswith("-liaison"):
        page.get_by_label("Authentication code").fill(demo_code(username))
    page.get_by_role("button", name="Sign in").click()


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


@contextlib.contextmanager
def _serve(*demo_args: str) -> Iterator[tuple[str, dict[str, str]]]:
    """`truceline demo --no-serve DEMO_ARGS` on a fresh database of the suite's kind, then
    `truceline serve`: its address, and the environment that reaches the same database."""
    with Deployment(
        os.environ.get("TRUCELINE_DATABASE_URL") or None,
        env_extra={
            "TRUCELINE_DEMO_PASSWORD": DEMO_PASSWORD,
            "TRUCELINE_DEMO_TOTP_KEY": DEMO_TOTP_KEY,
            "TRUCELINE_CHECKPOINT_ENTRIES": "1",  # receipts complete at once
            "TRUCELINE_RATE_SIGNIN": "",  # every test's people sign in from one address
        },
        demo_args=demo_args,
    ) as deployment:
        deployment.start()
        yield f"http://127.0.0.1:{deployment.port}", deployment.env


@pytest.fixture(scope="session")
def live() -> Iterator[tuple[str, dict[str, str]]]:
    """The product served from a fresh demo database with no synthetic incidents (the stories
    file their own): its address, and the environment that reaches the same database."""
    with _serve("--incidents", "0") as served:
        yield served


@pytest.fixture(scope="session")
def live_demo() -> Iterator[tuple[str, dict[str, str]]]:
    """The product as `make demo` shows it: with synthetic incidents."""
    with _serve("--incidents", "400") as served:
        yield served


@pytest.fixture(scope="session")
def live_url(live: tuple[str, dict[str, str]]) -> str:
    return live[0]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    # The suites run side by side on two cores: a page after a slow POST (an ingested
    # article, say) may take longer than expect()'s 5 s to arrive.
    expect.set_options(timeout=20_000)

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_url: str):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_url)
    page = context.new_page()
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live_url) else None,
    )
    # Anything the Content-Security-Policy blocked (an inline script or style, an outside
    # source) is a defect of the page: the browser reports it on the console.
    refused: list[str] = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    yield page
    context.close()
    assert not outside, f"the page requested outside addresses: {outside}"
    assert not refused, f"the Content-Security-Policy refused: {refused}"


def check_accessibility(page) -> None:  # type: ignore[no-untyped-def]
    """Run axe-core (from npm) in the page; fail on serious or critical violations."""
    from playwright.sync_api import Error

    # Not add_script_tag: the site's Content-Security-Policy refuses inline script, as it
    # should. The DevTools protocol's evaluate is outside the page's policy.
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            page.evaluate(AXE.read_text() + "\n;0")
            result = page.evaluate("async () => await axe.run(document)")
            break
        except Error:
            # The click before started a navigation that replaced the document under axe
            # (two suites side by side make the server slow): check the page it led to.
            if attempt == 2:
                raise
            page.wait_for_timeout(500)
    bad = [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes)"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert not bad, "accessibility violations:\n" + "\n".join(bad)
