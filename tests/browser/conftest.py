"""Browser tests run the real product: `truceline demo --no-serve` on a fresh database, then
`truceline serve` (gunicorn) on a free loopback port, driven by Debian's Chromium."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest

from truceline.core.harness import Deployment
from truceline.testing.browser import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, DEMO_TOTP_KEY


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
