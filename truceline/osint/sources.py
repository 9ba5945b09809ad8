"""Where articles come from: files and folders, web addresses, RSS/Atom feeds. Main text and
metadata of web pages come from trafilatura; feeds are read by feedparser."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

from truceline.osint.services import Incoming

TEXT_SUFFIXES = {".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm"}


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
    import urllib.request

    if not url.startswith(("http://", "https://")):
        raise SourceError(f"{url}: only http and https addresses")
    request = urllib.request.Request(url, headers={"User-Agent": "Truceline monitor"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            html = response.read(5_000_000).decode("utf-8", "replace")
    except OSError as exc:
        raise SourceError(f"{url}: {exc}") from exc
    return from_html(html, url=url, fallback_date=dt.datetime.now(dt.UTC).date())


def feed_entries(content: bytes | str) -> Iterator[tuple[str, str, dt.date, str]]:
    """(link, title, date, summary) of each entry of an RSS or Atom document."""
    import feedparser  # type: ignore[import-untyped]

    parsed = feedparser.parse(content)
    if parsed.bozo and not parsed.entries:
        raise SourceError(f"not a feed: {parsed.get('bozo_exception')}")
    for entry in parsed.entries:
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        day = dt.date(*stamp[:3]) if stamp else dt.datetime.now(dt.UTC).date()
        yield entry.get("link", ""), entry.get("title", ""), day, entry.get("summary", "")
