"""Where articles come from: files and folders, web addresses, RSS/Atom feeds. Main text and
metadata of web pages come from trafilatura; feeds are read by feedparser."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

from truceline.osint.services import Incoming

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
REDIRECTS = 5  # followed when fetching, each to a checked address


class SourceError(Exception):
    pass


def files_under(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(
            p
            for p in path.rglob("*")
            if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES
        )
    raise SourceError(f"{path}: no such file or folder")


def read_file(path: Path) -> Incoming:
    """A text file in the monitoring format (address, title, YYYY-MM-DD date, a blank line,
    the text), any other text file (first line the title, dated by the file), or an HTML page."""
    raw = path.read_bytes()
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{path.name}: not UTF-8 text") from exc
    if path.suffix.lower() in HTML_SUFFIXES:
        return from_html(body, url="", fallback_date=_mtime(path), source=path.name)
    return from_text(body, source=path.name, fallback_date=_mtime(path))


def _mtime(path: Path) -> dt.date:
    return dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).date()


def from_text(body: str, *, source: str, fallback_date: dt.date) -> Incoming:
    lines = body.replace("\r\n", "\n").split("\n")
    if len(lines) >= 5 and lines[3].strip() == "":
        try:
            published = dt.date.fromisoformat(lines[2].strip())
        except ValueError:
            published = None
        if published is not None:
            url = lines[0].strip()
            return Incoming(
                title=lines[1].strip(),
                text="\n".join(lines[4:]),
                published=published,
                url="" if url.lower() == "unknown" else url,
                source=source,
            )
    title = next((line.strip() for line in lines if line.strip()), "")
    return Incoming(title=title[:500], text=body, published=fallback_date, source=source)


def from_html(html: str, *, url: str, fallback_date: dt.date, source: str = "") -> Incoming:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url or None, with_metadata=True)
    if doc is None:
        raise SourceError(f"{url or source}: no article text found")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    if not text.strip():
        raise SourceError(f"{url or source}: no article text found")
    published = fallback_date
    if data.get("date"):
        with contextlib.suppress(ValueError):
            published = dt.date.fromisoformat(str(data["date"])[:10])
    return Incoming(
        title=(data.get("title") or text.split("\n", 1)[0])[:500],
        text=text,
        published=published,
        url=url or data.get("url") or "",
        source=source or data.get("sitename") or data.get("hostname") or "",
        language=data.get("language") or "",
    )


def fetch(url: str, timeout: float = 20.0) -> Incoming:
    """Fetch one page and extract its main text (needs the deployment to reach the web)."""
    html = get(url, timeout=timeout, max_bytes=5_000_000).decode("utf-8", "replace")
    return from_html(html, url=url, fallback_date=dt.datetime.now(dt.UTC).date())


def get(url: str, *, timeout: float = 20.0, max_bytes: int) -> bytes:
    """The body of a page or feed at a public address (core/outbound.py: each address,
    redirects included, checked after resolving, and connected to as checked)."""
    from truceline.core import outbound

    try:
        answer = outbound.request(
            "GET",
            url,
            headers={"User-Agent": "Truceline monitor"},
            timeout=timeout,
            max_bytes=max_bytes,
            redirects=REDIRECTS,
        )
    except outbound.OutboundError as exc:
        raise SourceError(f"{url}: {exc}") from exc
    if not 200 <= answer.status < 300:
        raise SourceError(f"{url}: HTTP {answer.status}")
    return answer.body


def feed_entries(content: bytes | str) -> Iterator[tuple[str, str, dt.date, str]]:
    """(link, title, date, summary) of each entry of an RSS or Atom document."""
    import feedparser  # type: ignore[import-untyped]

    if isinstance(content, str):
        content = content.encode()
    # As a stream: feedparser fetches a str that looks like an address, and opens one that
    # names a file (even as bytes), which a feed's body must never make it do.
    parsed = feedparser.parse(io.BytesIO(content))
    if parsed.bozo and not parsed.entries:
        raise SourceError(f"not a feed: {parsed.get('bozo_exception')}")
    for entry in parsed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        day = dt.date(*stamp[:3]) if stamp else dt.datetime.now(dt.UTC).date()
        yield entry.get("link", ""), entry.get("title", ""), day, entry.get("summary", "")
