"""Screenshots for a reviewer: every role's home, an incident page and the public home, at
1280 px and on a 360 px phone, left to right (English) and right to left (Urdu), written to
a folder (``TRUCELINE_SCREENSHOTS``, by default ``build/screenshots/``, never committed).

Looked at, not only written: no page scrolls sideways on the phone, in either direction, and
each one is in the language and direction asked for. The failures are gathered and told once
every picture is written, so that the reviewer has the pictures of what failed too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from truceline.testing.browser import sign_in

pytestmark = pytest.mark.browser

FOLDER = Path(
    os.environ.get("TRUCELINE_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "build" / "screenshots"
)
WIDTHS = {"desktop": (1280, 900), "phone": (360, 740)}
LANGUAGES = {"en": "ltr", "ur": "rtl"}
ROLES = ["public", "pk-liaison", "af-liaison", "qa-monitor", "qa-signatory", "admin"]


def _shoot(page, name: str, problems: list[str]) -> None:  # type: ignore[no-untyped-def]
    for language, direction in LANGUAGES.items():
        origin = "/".join(page.url.split("/")[:3])  # the cookie for the whole site
        page.context.add_cookies([{"name": "django_language", "value": language, "url": origin}])
        for size, (width, height) in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": height})
            page.reload()
            page.wait_for_load_state("load")
            shown = page.evaluate(
                "[document.documentElement.lang, document.documentElement.dir,"
                " document.documentElement.scrollWidth]"
            )
            page.screenshot(path=FOLDER / f"{name}-{size}-{direction}.png", full_page=True)
            if shown[:2] != [language, direction]:
                problems.append(f"{name} {size}: {shown[:2]}, not {language} {direction}")
            if shown[2] > width:
                problems.append(f"{name} {size} {direction}: {shown[2]} px wide, not {width}")


def test_screenshots_of_every_home_the_incident_page_and_the_public_home(  # type: ignore[no-untyped-def]
    browser, live_demo
) -> None:
    base = live_demo[0]
    FOLDER.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    incident = ""
    for role in ROLES:
        context = browser.new_context(base_url=base)
        page = context.new_page()
        if role == "public":
            page.goto("/")
        else:
            sign_in(page, role)
            page.goto("/")
        _shoot(page, f"home-{role}", problems)
        if role == "pk-liaison":  # one of its filings: the incident page as filer and monitor
            page.context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
            page.goto("/")
            incident = page.locator("#filings ~ ul a[href^='/incidents/INC-']").first.inner_text()
            page.goto(f"/incidents/{incident}/")
            _shoot(page, "incident-filer", problems)
        if role == "qa-monitor":
            page.goto(f"/incidents/{incident}/")
            _shoot(page, "incident-monitor", problems)
        context.close()
    written = sorted(p.name for p in FOLDER.glob("*.png"))
    assert len([n for n in written if n.startswith(("home-", "incident-"))]) >= 32, written
    assert problems == []
