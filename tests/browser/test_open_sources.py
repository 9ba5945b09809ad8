"""Open-source monitoring in a real browser: a monitor ingests an article file, sees the
candidate event with the words each value came from marked, and accepts it into a report."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from truceline.testing.browser import check_accessibility, sign_in

pytestmark = pytest.mark.browser

NEWS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "news"


def test_a_monitor_ingests_a_file_and_accepts_a_candidate(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    article = tmp_path / "court-bombing.txt"
    article.write_bytes((NEWS / "dev-038.txt").read_bytes())
    sign_in(page, "qa-monitor")
    page.get_by_role("link", name="Open sources").click()
    check_accessibility(page)
    page.get_by_label("Article files (.txt or .html, up to 2 MB each)").set_input_files(
        str(article)
    )
    page.get_by_role("button", name="Ingest").click()
    expect(page.get_by_text("1 article(s) added")).to_be_visible()

    group = page.locator("section.card", has=page.get_by_role("heading", name="Militant attack"))
    assert group.count() == 1
    marks = group.locator("mark[data-field]")
    fields = {marks.nth(i).get_attribute("data-field") for i in range(marks.count())}
    assert {"category", "date"} <= fields
    assert group.locator('mark[data-field="date"]').first.inner_text().startswith("Tuesday")
    check_accessibility(page)

    group.get_by_role("button", name="Accept as report").click()
    message = page.get_by_text("Filed as open-source report")
    expect(message).to_be_visible()
    report_id = message.inner_text().split()[-1].rstrip(".")
    assert report_id.startswith("RPT-")

    page.goto("/monitoring/?status=accepted")
    page.get_by_role("link", name=report_id).click()
    expect(page.get_by_text("Open source:").first).to_be_visible()
