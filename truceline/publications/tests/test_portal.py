"""The public portal: published findings with filters, the chart, crossings, downloads, the
checkpoint; and the Atom feed of published findings."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_feed_lists_published_findings_only(people, client) -> None:  # type: ignore[no-untyped-def]
    published = make_incident(people, "published").findings.get()
    endorsed = make_incident(people, "endorsed").findings.get()
    got = client.get("/feeds/findings.atom")
    assert got.status_code == 200 and got["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(got.content)  # noqa: S314 (our own feed, in a test)
    ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
    assert ids == [published.pk] and endorsed.pk not in got.content.decode()


def test_the_portal_filters_and_links(people, client) -> None:  # type: ignore[no-untyped-def]
    finding = make_incident(people, "published").findings.get()
    page = client.get("/").content.decode()
    for text in (
        finding.pk,
        "Violations per week",
        "Border crossings",
        "Verification report, public edition",
        "Atom feed of published findings",
        "latest checkpoint",
        'type="application/atom+xml"',
    ):
        assert text in page, text
    assert finding.pk in client.get("/?party=afghanistan").content.decode()
    assert finding.pk not in client.get("/?party=pakistan").content.decode()
    assert finding.pk not in client.get("/?category=infiltration").content.decode()
    assert client.get("/?from=not-a-date").status_code == 200  # ignored, not an error
