"""Every page a viewer can reach, found by following the links of the pages it reads.

One crawler for the checks that walk the site as each role: page weight, words instead of
slugs, the leak canaries. No list of pages is kept by hand, so a page added tomorrow is walked
the day it is linked. URLs are folded to their shape (ids and numbers replaced), and at most
``per_shape`` pages of one shape are read, so that a thousand incidents cost a handful.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from django.test import Client

# not pages: the API (walked from the OpenAPI document), files, the admin, signing out
SKIP = re.compile(r"^/(admin|api|static|media)/|^/signout/|\.(atom|json|csv|pdf|geojson|jsonl)$")
START = ["/", "/account/two-factor/"]  # pages no link leads to (the account's own)


def shape(url: str) -> str:
    """A URL with its ids folded, so that one page per kind is crawled."""
    parts = urlsplit(url)
    path = re.sub(r"[A-Z]{3}-[0-9A-Za-z]+", "{id}", parts.path)
    path = re.sub(r"/[\d-]+(?=/|$|\.)", "/{n}", path)
    keys = sorted({kv.split("=")[0] for kv in parts.query.split("&") if kv})
    return path + ("?" + "&".join(keys) if keys else "")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href") and "download" not in a:
            self.links.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.assets.append(a["src"] or "")
        elif tag == "link" and a.get("rel") == "stylesheet" and a.get("href"):
            self.assets.append(a["href"] or "")


@dataclass
class Page:
    url: str
    response: Any  # the test client's response
    html: str
    assets: list[str]  # scripts and stylesheets the page loads


def crawl(
    client: Client, *, start: list[str] | None = None, max_pages: int = 150, per_shape: int = 3
) -> Iterator[Page]:
    """Each HTML page (status 200) reached from ``start`` by the links on the pages read."""
    visited: set[str] = set()
    per: Counter[str] = Counter()
    queue = list(start or START)
    pages = 0
    while queue and pages < max_pages:
        url = queue.pop(0)
        if url in visited or per[shape(url)] >= per_shape or SKIP.search(url):
            continue
        visited.add(url)
        per[shape(url)] += 1
        response = client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        pages += 1
        body = response.content
        if response.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        html = body.decode("utf-8")
        parser = _Links()
        parser.feed(html)
        yield Page(url, response, html, parser.assets)
        for href in parser.links:
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path.startswith("/"):
                continue  # another site, mailto:, javascript:
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
