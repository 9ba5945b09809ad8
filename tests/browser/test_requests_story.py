"""The agreement's follow-up in a real browser: the rounds and commitments, and a hand-over
request from filing to the monitors' verification, with the names kept from the public."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from truceline.testing.browser import check_accessibility, demo_code, sign_in

pytestmark = pytest.mark.browser


def test_agreement_page_traces_commitments_to_rounds(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/agreement/")
    for title in ("Doha talks", "Istanbul talks, first round", "Istanbul talks, second round"):
        expect(page.get_by_role("heading", name=title).first).to_be_visible()
    commitment = page.locator("#territory-not-used-for-attacks")
    expect(commitment.get_by_role("link", name="Istanbul talks, first round")).to_be_visible()
    check_accessibility(page)


def test_a_hand_over_request_from_filing_to_verification(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "pk-liaison")
    page.goto("/requests/new/")
    check_accessibility(page)
    page.get_by_label("What is asked").select_option("hand-over")
    page.get_by_label("People or groups named (one per line)").fill("Qari Abdul Wali\nNoor Rahman")
    page.get_by_label("Grounds").fill("Both led the attack on the Torkham post on 2 November.")
    deadline = (dt.datetime.now(dt.UTC) + dt.timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Deadline (", exact=False).fill(deadline)
    page.get_by_label("Place (e.g. the border post for a hand-over)").select_option("torkham")
    page.get_by_label("Under the commitment").select_option("action-against-armed-groups")
    page.get_by_role("button", name="Send the request").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    request_id = heading.split()[-1]
    assert request_id.startswith("REQ-")

    sign_in(page, "af-liaison")
    page.goto(f"/requests/{request_id}/")
    expect(page.get_by_text("Qari Abdul Wali")).to_be_visible()
    page.get_by_label("Refused").check()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("#reasons-err")).to_be_visible()  # refusing needs reasons
    check_accessibility(page)
    page.get_by_label("Accepted").check()
    page.get_by_role("button", name="Send the answer").click()
    expect(page.get_by_text("Recorded; the step is on the ledger.")).to_be_visible()

    sign_in(page, "qa-monitor")
    page.goto(f"/requests/{request_id}/")
    page.get_by_label("Qari Abdul Wali").check()
    page.get_by_label("Noor Rahman").check()
    page.get_by_role("button", name="Record what was verified").click()
    expect(page.get_by_role("heading", name="Verified by the monitors")).to_be_visible()
    check_accessibility(page)
    # the compliance grid counts it for Afghanistan, the record one click away
    page.goto("/compliance/")
    row = page.locator("tr", has_text="Action against named armed groups").filter(
        has_text="Afghanistan"
    )
    assert "Requests accepted and carried out: 1 of 1" in row.inner_text()
    check_accessibility(page)
    row.get_by_role("link").last.click()
    expect(page.get_by_role("link", name=request_id).first).to_be_visible()

    page.context.clear_cookies()
    page.goto("/agreement/")
    rows = page.locator("section[aria-labelledby=requests-h] tbody tr")
    # words, not slugs: the kind and the state by their labels
    row = rows.first.inner_text()
    assert "Hand over named people" in row and "Verified by the monitors" in row
    assert "Qari" not in page.content() and "Noor Rahman" not in page.content()
    direct = page.request.get(f"/requests/{request_id}/")
    assert "/signin/" in direct.url and "Qari" not in direct.text()


def test_a_round_recorded_then_announced_changes_a_commitment(page) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "qa-monitor")
    page.goto("/agreement/")
    page.get_by_role("link", name="Record a round of talks").click()
    check_accessibility(page)
    page.get_by_label("Title of the round").fill("Doha talks, third round")
    page.get_by_label("Venue").fill("Doha, Qatar")
    page.get_by_label("First day").fill("2026-02-01")
    page.get_by_label("Last day").fill("2026-02-02")
    page.get_by_label("Qatar").check()
    page.get_by_label("Head of Pakistan's delegation").fill("A. Head")
    page.get_by_label("Agenda (one item per line)").fill("Crossings\nHand-overs")
    page.get_by_label("Outcome").fill("The crossings clause is made precise.")
    first = page.get_by_role("group", name="Decision 1 (leave empty if none)")
    first.get_by_label("Kind").select_option("amend-commitment")
    first.get_by_label("What was decided").fill("Torkham and Chaman reopen within a week.")
    first.get_by_label("Commitment it creates, amends or retires (slug)").fill("no-such-clause")
    first.get_by_label("Commitment text (new or amended)").fill(
        "The parties shall reopen Torkham and Chaman within seven days."
    )
    page.get_by_role("button", name="Record the round").click()
    expect(page.locator("#d0-err")).to_be_visible()  # the refusal sits on its decision
    check_accessibility(page)
    first = page.get_by_role("group", name="Decision 1 (leave empty if none)")
    first.get_by_label("Commitment it creates, amends or retires (slug)").fill("crossings-reopened")
    page.get_by_role("button", name="Record the round").click()
    expect(page.get_by_text("Recorded, not yet announced")).to_be_visible()

    sign_in(page, "tr-signatory")
    page.goto("/agreement/")
    page.get_by_label("Authentication code, to sign").fill(demo_code("tr-signatory"))
    page.get_by_role(
        "button", name="Announce “Doha talks, third round” and apply its decisions"
    ).click()
    expect(page.get_by_text("Announced: the round is public")).to_be_visible()

    page.context.clear_cookies()
    page.goto("/agreement/")
    clause = page.locator("#crossings-reopened")
    assert "within seven days" in clause.inner_text()
    expect(clause.get_by_role("link", name="Doha talks, third round")).to_be_visible()
    check_accessibility(page)
