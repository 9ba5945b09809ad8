"""The workflow story in a real browser: allegation → triage → reply → votes → publication."""

import io
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect

from truceline.testing import files
from truceline.testing.browser import check_accessibility, demo_code, sign_in

pytestmark = pytest.mark.browser


def test_story(page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    sign_in(page, "pk-liaison")
    page.get_by_role("link", name="File a report").click()
    check_accessibility(page)
    # Half-written, saved on the server, then finished from the saved draft.
    page.get_by_label("What happened").fill("Militants attacked a post near Torkham.")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved on the server").first).to_be_visible()
    assert page.get_by_label("What happened").input_value().startswith("Militants attacked")
    page.get_by_label("Category").select_option("militant-attack")
    page.get_by_label("Accused party").select_option("afghanistan")
    page.get_by_label("When (", exact=False).fill("2025-11-02T04:30")
    page.get_by_label("Latitude").fill("34.11")
    page.get_by_label("Longitude").fill("71.09")
    page.get_by_label("What happened").fill(
        "Militants attacked a post near Torkham. Witness: Gul Khan."
    )
    page.get_by_label("Sources (one per line)").fill("Post commander")
    page.get_by_label("Urgent: firing is still going on").check()
    photo = tmp_path / "post.jpg"  # with the camera's GPS position in its EXIF
    photo.write_bytes(files.jpeg_with_gps())
    page.get_by_label("Photos, video, audio, documents (several at once)").set_input_files(photo)
    page.get_by_role("button", name="Submit report").click()
    heading = page.get_by_role("heading", level=1).inner_text()
    incident = heading.split()[-1]
    assert incident.startswith("INC-")
    # The filer keeps a receipt of the allegation and checks it on the public ledger page,
    # signed out: what it proves needs no account.
    with page.expect_download() as download:
        page.get_by_role("link", name="(Report filed)").click()
    receipt = Path(download.value.path()).read_text()
    assert '"kind": "report.submitted"' in receipt
    page.context.clear_cookies()
    page.goto("/ledger/")
    expect(page.get_by_role("heading", name="Current checkpoint")).to_be_visible()
    page.get_by_label("Receipt (paste the JSON file's contents)").fill(receipt)
    page.get_by_role("button", name="Check the receipt").click()
    expect(page.get_by_role("heading", name="The receipt verifies")).to_be_visible()
    expect(page.get_by_text("is included in the tree of size")).to_be_visible()
    check_accessibility(page)
    # A receipt with one word changed does not verify.
    page.get_by_label("Receipt (paste the JSON file's contents)").fill(
        receipt.replace("Gul Khan", "Gul Khen")
    )
    page.get_by_role("button", name="Check the receipt").click()
    expect(page.get_by_role("heading", name="The receipt does not verify")).to_be_visible()
    check_accessibility(page)

    sign_in(page, "qa-monitor")
    page.goto(f"/incidents/{incident}/")
    # Inadmissible without a reason: refused at the field, nothing changes.
    page.get_by_label("Inadmissible", exact=True).check()
    page.get_by_role("button", name="Record triage").click()
    expect(page.locator("#reason-err")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Admissible", exact=True).check()
    page.get_by_role("button", name="Record triage").click()
    page.get_by_label("Question", exact=True).fill("How many attackers crossed?")
    page.get_by_role("button", name="Send question").click()
    page.locator("details.seal").first.locator("summary").click()
    page.get_by_label("Words to seal (empty: the whole field)").first.fill("Gul Khan")
    page.get_by_label("Whom or what the seal protects").first.fill("a witness")
    page.get_by_role("button", name="Seal", exact=True).first.click()
    page.get_by_role("button", name="Open verification and share with the accused party").click()
    check_accessibility(page)
    # The photo: its metadata and chain of custody; shared publicly, as a stripped copy.
    page.locator("section[aria-labelledby=evidence-h] a").first.click()
    original = page.url.rstrip("/").rsplit("/", 1)[-1]
    expect(page.get_by_text("Canon EOS 80D")).to_be_visible()
    expect(page.get_by_role("heading", name="Chain of custody")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Who may see it").select_option("public")
    page.get_by_role("button", name="Change sharing").click()
    expect(page.get_by_text("Sharing changed")).to_be_visible()

    sign_in(page, "pk-liaison")
    page.get_by_role("link", name=incident).first.click()
    page.get_by_label("Your answer").fill("About twenty.")
    page.get_by_role("button", name="Send answer").click()
    expect(page.get_by_text("About twenty.")).to_be_visible()
    assert "Gul Khan" not in page.content()  # sealed for the filer too

    sign_in(page, "af-liaison")
    page.goto(f"/incidents/{incident}/")
    assert "pk-liaison" not in page.content() and "Post commander" not in page.content()
    assert "Gul Khan" not in page.content() and "[sealed]" in page.content()
    assert "How many attackers" not in page.content()  # the question was to Pakistan
    check_accessibility(page)
    page.get_by_label("Your answer").fill("The attackers are Pakistani nationals.")
    page.get_by_role("button", name="Send answer").click()

    sign_in(page, "qa-monitor")
    page.goto(f"/incidents/{incident}/")
    page.get_by_text("Draft a finding").click()
    page.get_by_label("Determination").select_option("likely-violation")
    page.get_by_label("Confidence").select_option("high")
    page.get_by_label("Attribution", exact=True).select_option("omission")
    page.get_by_label("Territory", exact=True).select_option("afghanistan")
    page.get_by_label("Intent").select_option("deliberate")
    page.get_by_label("Summary").fill("A group operating from Afghan territory attacked the post.")
    page.get_by_role("button", name="Save finding").click()

    sign_in(page, "qa-signatory")
    page.goto(f"/incidents/{incident}/")
    page.get_by_label("Endorse", exact=True).check()  # no vote is preselected
    page.get_by_label("Authentication code, to sign").fill(demo_code("qa-signatory"))
    page.get_by_role("button", name="Sign and cast vote").click()
    sign_in(page, "tr-signatory")
    page.goto(f"/incidents/{incident}/")
    page.get_by_label("Dissent").check()
    page.get_by_label("Reasons").fill("Attribution is not established.")
    page.get_by_label("Authentication code, to sign").fill(demo_code("tr-signatory"))
    page.get_by_role("button", name="Sign and cast vote").click()

    sign_in(page, "qa-monitor")
    page.goto(f"/incidents/{incident}/")
    page.get_by_text("Revise the finding").click()
    page.get_by_label("Determination").select_option("likely-violation")
    page.get_by_label("Confidence").select_option("medium")
    page.get_by_label("Attribution", exact=True).select_option("omission")
    page.get_by_label("Territory", exact=True).select_option("afghanistan")
    page.get_by_label("Intent").select_option("deliberate")
    page.get_by_label("Summary").fill("Revised: likely an attack from Afghan territory.")
    page.get_by_role("button", name="Save finding").click()
    for signatory in ("qa-signatory", "tr-signatory"):
        sign_in(page, signatory)
        page.goto(f"/incidents/{incident}/")
        page.get_by_label("Endorse", exact=True).check()
        page.get_by_label("Authentication code, to sign").fill(demo_code(signatory))
        page.get_by_role("button", name="Sign and cast vote").click()
    for liaison in ("pk-liaison", "af-liaison"):
        sign_in(page, liaison)
        page.goto(f"/incidents/{incident}/")
        page.get_by_role("button", name="Acknowledge receipt").click()
    sign_in(page, "qa-monitor")
    page.goto(f"/incidents/{incident}/")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("signature valid").first).to_be_visible()

    page.context.clear_cookies()
    page.goto("/")
    expect(page.get_by_text("Revised: likely an attack from Afghan territory.")).to_be_visible()
    expect(page.get_by_text("Attribution is not established.")).to_be_visible()
    check_accessibility(page)
    # The public sees the photo only as the copy without metadata, never the original.
    page.goto(f"/incidents/{incident}/")
    shown = page.locator("section[aria-labelledby=evidence-h] img")
    assert shown.count() == 1
    image = page.request.get(shown.get_attribute("src"))
    assert image.ok and image.headers["x-content-type-options"] == "nosniff"
    with Image.open(io.BytesIO(image.body())) as copy:
        assert not copy.getexif()  # no camera, no time, no GPS
    assert page.request.get(f"/evidence/{original}/").status == 404
    assert page.request.get(f"/evidence/{original}/download").status == 404
    check_accessibility(page)
