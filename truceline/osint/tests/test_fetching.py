"""Pages and feeds are read from public internet addresses only (core/outbound.py): `truceline
ingest URL`, `ingest --feed URL` and the worker's polls refuse loopback, private and metadata
addresses after resolving the name, follow a redirect only to an address that passes too, and
a feed's body never makes feedparser open anything. Run with loopback refused; the listeners
on 127.0.0.1 stand for the server's own services. ``Internet`` (truceline/testing/network.py,
as notify's tests use it) gives names public addresses that reach listeners here."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from truceline.accounts.models import User
from truceline.osint.models import Article, Feed
from truceline.osint.sources import SourceError, feed_entries
from truceline.osint.tasks import poll
from truceline.testing.network import Internet, Listener

pytestmark = pytest.mark.django_db

NEWS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "news"
PARAGRAPHS = "".join(
    f"<p>{p}</p>"
    for p in (NEWS / "dev-038.txt").read_text().split("\n", 4)[4].split("\n\n")
    if p.strip()
)
PAGE = (
    "<html><head><title>Court bombing</title></head><body>"
    f"<article><h1>Suicide bombing outside Islamabad court</h1>{PARAGRAPHS}</article>"
    "</body></html>"
).encode()


@pytest.fixture(autouse=True)
def _loopback_refused(settings: Any) -> None:
    settings.TRUCELINE_OUTBOUND_ALLOW_LOOPBACK = False


def ingest(*sources: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("ingest", *sources, "--quiet", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def rss(*links: str) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>{link}</link>"
        f"<description>Summary {n} of the wire.</description>"
        "<pubDate>Tue, 11 Nov 2025 12:00:00 GMT</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{items}'
        "</channel></rss>"
    ).encode()


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::1]", "2130706433"])
def test_ingesting_a_loopback_address_is_refused(people: dict[str, User], listen, host) -> None:  # type: ignore[no-untyped-def]
    inside = listen(PAGE)
    out, err = ingest(inside.url("/news/1", host=host))
    assert "0 added" in out and "1 refused" in out
    assert "not a public internet address" in err or "does not resolve" in err
    assert inside.got == [] and not Article.objects.exists()


def test_a_page_on_the_internet_is_read_through_its_redirects(  # type: ignore[no-untyped-def]
    people: dict[str, User], listen, internet: Internet
) -> None:
    page = listen(PAGE)
    moved = listen()
    moved.script = [(301, {"Location": internet.serve("news.example.org", page, "/story")})]
    out, _err = ingest(internet.serve("short.example.org", moved, "/s/1"))
    assert "1 added" in out
    assert [g["path"] for g in page.got] == ["/story"]
    assert Article.objects.get().title.startswith("Suicide bombing")


@pytest.mark.parametrize(
    "to", ["http://127.0.0.1:{port}/secret", "http://localhost:{port}/secret", "/{port}"]
)
def test_a_redirect_to_loopback_is_refused(  # type: ignore[no-untyped-def]
    people: dict[str, User], listen, internet: Internet, to: str
) -> None:
    """An address that looks allowed, and is, answers with a redirect to the server's own
    service: by address, by a name resolving to 127.0.0.1, or to a relative path on a name
    that has meanwhile come to resolve to 127.0.0.1. The service hears nothing."""
    inside = listen(PAGE)
    front = listen()
    start = internet.serve("news.example.org", front, "/story")
    if to.startswith("/"):
        internet.answers["news.example.org"].append("127.0.0.1")
        front.script = [(302, {"Location": "/secret"})]  # followed, it would reach front
    else:
        front.script = [(302, {"Location": to.format(port=inside.port)})]
    out, err = ingest(start)
    assert "1 refused" in out and "not a public internet address" in err
    assert len(front.got) == 1 and inside.got == []
    assert not Article.objects.exists()


def test_a_feed_on_loopback_is_refused_when_registered_and_when_polled(  # type: ignore[no-untyped-def]
    people: dict[str, User], listen
) -> None:
    inside = listen(rss())
    with pytest.raises(CommandError, match="not a public internet address"):
        ingest("--feed", inside.url("/rss"))
    with pytest.raises(CommandError, match="not a public internet address"):
        ingest("--feed", inside.url("/rss", host="localhost"))
    assert not Feed.objects.exists()
    # one registered before the rule, or while its name was public
    feed = Feed.objects.create(url=inside.url("/rss"), added_at=timezone.now())
    assert poll(feed) == 0
    feed.refresh_from_db()
    assert "not a public internet address" in feed.last_error
    assert inside.got == []


def test_a_feeds_links_to_loopback_are_not_fetched(  # type: ignore[no-untyped-def]
    people: dict[str, User], listen, internet: Internet
) -> None:
    """A feed on the internet whose entries link to the server's own services, directly, by
    a name and through a redirect: none is fetched; each entry is kept by its summary."""
    inside = listen(PAGE)
    bounce = listen()
    bounce.script = [(302, {"Location": inside.url("/via-redirect")})]
    wire = listen(
        rss(
            inside.url("/direct"),
            inside.url("/by-name", host="localhost"),
            internet.serve("bounce.example.org", bounce, "/x"),
        )
    )
    feed = Feed.objects.create(
        url=internet.serve("wire.example.org", wire, "/rss"), added_at=timezone.now()
    )
    assert poll(feed) == 3
    assert inside.got == [] and len(bounce.got) == 1
    texts = sorted(Article.objects.values_list("text", flat=True))
    assert texts == ["Summary 0 of the wire.", "Summary 1 of the wire.", "Summary 2 of the wire."]


def test_a_feeds_body_never_opens_a_file_or_an_address(tmp_path: Path, listen) -> None:  # type: ignore[no-untyped-def]
    """feedparser opens a file named by a str or bytes it is given, and fetches a str that
    looks like an address: a feed whose whole body is a path or an address is not a feed."""
    local = tmp_path / "feed.xml"
    local.write_bytes(rss("https://example.org/a"))
    inside: Listener = listen(rss("https://example.org/b"))
    for body in (str(local).encode(), str(local), inside.url("/rss"), inside.url().encode()):
        with pytest.raises(SourceError, match="not a feed"):
            list(feed_entries(body))
    assert inside.got == []
