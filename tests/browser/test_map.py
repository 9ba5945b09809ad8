"""The operations map and the dashboard in Chromium, on the demo's synthetic incidents: a
monitor sees them all, a filter changes what is shown, the public sees published ones only at
rounded places; both pages pass axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from truceline.geo.selectors import round_point
from truceline.testing.browser import check_accessibility, sign_in


@pytest.fixture
def demo_page(browser, live_demo):  # type: ignore[no-untyped-def]
    base = live_demo[0]
    context = browser.new_context(base_url=base, viewport={"width": 1000, "height": 900})
    page = context.new_page()
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(base) else None)
    yield page
    context.close()
    assert not outside, f"the page requested outside addresses: {outside}"


def _shown(page) -> int:  # type: ignore[no-untyped-def]
    """Wait for the map's data, then read how many incidents its status line says it shows."""
    page.wait_for_selector("#map[data-loaded]", state="attached")
    text = page.locator("#map-status").inner_text()
    match = re.match(r"(\d+) incidents", text)
    assert match, text
    return int(match.group(1))


def _zoom_to_points(page) -> None:  # type: ignore[no-untyped-def]
    """Zoom in with the map's own control (as a keyboard user would) until incidents show."""
    for _ in range(6):
        loaded = page.locator("#map").get_attribute("data-loaded")
        page.get_by_role("button", name="Zoom in").click()
        expect(page.locator("#map")).not_to_have_attribute(
            "data-loaded", loaded or "", timeout=10_000
        )
        if page.locator("#in-view li").count():
            return
    raise AssertionError("no incident listed after zooming in")


def test_monitor_sees_the_demo_incidents_and_filters_them(demo_page) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    sign_in(page, "qa-monitor")
    page.goto("/map/")
    everything = _shown(page)
    assert everything > 300  # the demo's 400, less merged and withdrawn ones
    page.wait_for_selector("path.country", state="attached")
    assert page.locator("path.border").count() == 1
    assert page.locator("path.cluster").count() > 3
    check_accessibility(page)
    # A filter: one accused party only.
    page.get_by_label("Accused party").select_option(label="Afghanistan")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(re.compile(r"party=afghanistan"))
    some = _shown(page)
    assert 0 < some < everything
    table_total = sum(
        int(t) for t in page.locator("#summary-h ~ table tbody td:nth-child(2)").all_inner_texts()
    )
    # The status line counts what is in view; the table and the API without a box, all.
    everywhere = page.evaluate(
        "async () => (await fetch('/api/v1/map?zoom=5&party=afghanistan')).json()"
    )["total"]
    assert some <= table_total == everywhere
    page.goto("/dashboard/")
    expect(page.get_by_role("heading", name="Verification queue")).to_be_visible()
    assert page.locator("svg.chart rect").count() > 10
    check_accessibility(page)


def test_the_public_sees_published_findings_at_rounded_places(demo_page) -> None:  # type: ignore[no-untyped-def]
    page = demo_page
    page.goto("/map/")
    public = _shown(page)
    assert "grid squares" in page.locator("#map-status").inner_text()
    assert page.get_by_label("State").count() == 0  # the public map has no state to choose
    page.goto("/signin/")
    sign_in(page, "qa-monitor")
    page.goto("/map/?state=published")
    assert _shown(page) == public  # exactly the published ones
    page.get_by_role("button", name="Sign out").click()
    page.goto("/map/")
    _shown(page)
    _zoom_to_points(page)
    items = page.locator("#in-view li").all_inner_texts()
    assert items and all("published" in item for item in items)
    # The data behind the dots: rounded to the scenario's grid, never the true point.
    data = page.evaluate("async () => (await fetch('/api/v1/map?zoom=10&bbox=29,60,38,75')).json()")
    assert data["rounded_to_km"] == 10 and data["points"]
    assert {p["state"] for p in data["points"]} == {"published"}
    assert all(round_point(p["lat"], p["lon"], 10) == (p["lat"], p["lon"]) for p in data["points"])
    check_accessibility(page)


def test_the_report_form_suggests_places_and_names_the_nearest(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "pk-liaison")
    page.goto("/reports/new/")
    page.get_by_label("Type a place name").fill("طورخم")  # Torkham, in Urdu
    suggestion = page.locator("#place-suggestions button").first
    suggestion.wait_for()
    assert suggestion.inner_text().startswith("Torkham")
    suggestion.click()
    assert page.locator("#id_lat").input_value().startswith("34.10")
    expect(page.locator("#place-nearest")).to_contain_text("Torkham")
    assert "km from the border" in page.locator("#place-nearest").inner_text()
    # The map to pick on loads only when asked for (a slow link pays for it only then).
    page.get_by_role("button", name="Pick the point on a map").click()
    page.locator("#pick-map path.border").wait_for(state="attached")
    box = page.locator("#pick-map").bounding_box()
    before = page.locator("#id_lon").input_value()
    page.mouse.click(box["x"] + box["width"] / 2 + 60, box["y"] + box["height"] / 2 + 60)
    expect(page.locator("#id_lon")).not_to_have_value(before)
    assert float(page.locator("#id_lon").input_value()) > float(before)  # east of Torkham
    check_accessibility(page)
