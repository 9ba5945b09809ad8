"""What the browser tests share beyond their fixtures (tests/browser/conftest.py): the demo's
password and authenticator, signing in as a demo user, and the accessibility check. Playwright
is imported only where a page is checked."""

from __future__ import annotations

import time
from pathlib import Path

from django_otp.oath import totp

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
DEMO_PASSWORD = "browser-test-password-1"  # noqa: S105 - test-only
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
