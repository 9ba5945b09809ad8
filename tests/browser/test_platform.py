"""Day-one browser story: the home page renders, a liaison signs in and out, on a phone too."""

import pytest
from playwright.sync_api import expect

from truceline.testing.browser import DEMO_PASSWORD, check_accessibility

pytestmark = pytest.mark.browser


class SignInPage:
    def __init__(self, page) -> None:  # type: ignore[no-untyped-def]
        self.page = page

    def open(self) -> "SignInPage":
        self.page.goto("/signin/")
        return self

    def sign_in(self, username: str, password: str) -> None:
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill(password)
        self.page.get_by_role("button", name="Sign in").click()


def test_home_renders_and_is_accessible(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Pakistan")
    expect(page.get_by_role("heading", name="Published findings")).to_be_visible()
    check_accessibility(page)


def test_liaison_signs_in_and_out(page) -> None:  # type: ignore[no-untyped-def]
    SignInPage(page).open().sign_in("pk-liaison", "wrong password")
    expect(page.get_by_role("alert")).to_be_visible()
    check_accessibility(page)
    SignInPage(page).open().sign_in("pk-liaison", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Liaison · Pakistan")).to_be_visible()
    check_accessibility(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def test_keyboard_reaches_the_content_first(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to content"


def test_phone_layout_does_not_scroll_sideways(browser, live_url: str) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live_url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto("/signin/")
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert width <= 360
