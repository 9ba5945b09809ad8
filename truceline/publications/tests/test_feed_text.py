"""The Atom feed carries records' text as plain text: a finding's summary with markup in it is
shown as typed by any feed reader, never rendered, and a character XML cannot carry does not
break the feed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from truceline.findings.models import Finding
from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"

MARKUP = (
    'Shelling confirmed <script>alert(1)</script><img src=x onerror="alert(2)">'
    '<a href="javascript:alert(3)">details</a> &amp; <b>more</b>'
)


def test_a_summary_is_plain_text(people, client) -> None:  # type: ignore[no-untyped-def]
    # characters XML cannot carry (NUL never reaches the database: RejectNulMiddleware)
    finding = make_incident(people, "published").findings.get()
    Finding.objects.filter(pk=finding.pk).update(summary=MARKUP + "\x0b\x01 end")
    got = client.get("/feeds/findings.atom")
    assert got.status_code == 200
    feed = ET.fromstring(got.content)  # noqa: S314 (our own feed, in a test)
    (entry,) = feed.iter(f"{ATOM}entry")
    summary = entry.find(f"{ATOM}summary")
    assert summary is not None
    assert summary.get("type") == "text"  # never "html": readers show it, not render it
    assert summary.text == MARKUP + " end"  # as typed, less what XML cannot hold
    assert list(summary) == []  # no element inside it
    raw = got.content.decode()
    assert "<script" not in raw and "<img" not in raw and 'type="html"' not in raw
    for element in feed.iter():
        assert element.get("type") != "html"
