"""Light pages for slow links: every page's first load — its HTML as served (compressed) and
every script and stylesheet it loads, compressed — is at most 40 kB, for every role, in every
shipped language. The map's tiles and Leaflet are the one page left out (DESIGN: "the map
apart"); pages are found by the crawler, not listed."""

from __future__ import annotations

import gzip

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client

from truceline.accounts.testing import force_sign_in
from truceline.core.synthetic import generate
from truceline.testing.crawl import crawl

LIMIT = 40_000
ROLES = ["anonymous", "pk-liaison", "af-liaison", "qa-monitor", "qa-signatory", "admin"]


def asset_bytes(url: str) -> int:
    """A static file as WhiteNoise serves it to a browser that accepts gzip."""
    name = url.removeprefix(settings.STATIC_URL).split("?")[0]
    path = finders.find(name)
    assert path, f"{url}: no such static file"
    with open(str(path), "rb") as f:
        return len(gzip.compress(f.read(), compresslevel=9))


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_page_loads_in_40_kB(people, role: str) -> None:  # type: ignore[no-untyped-def]
    generate(40, seed=5)
    over, seen = [], 0
    for language, _name in settings.LANGUAGES:
        client = Client(HTTP_ACCEPT_ENCODING="gzip, br", HTTP_ACCEPT_LANGUAGE=language)
        if role != "anonymous":
            force_sign_in(client, people[role])
        per_shape = 2 if language == settings.LANGUAGE_CODE else 1
        for page in crawl(client, per_shape=per_shape, max_pages=60):
            if page.url.startswith("/map/"):
                continue
            seen += 1
            wire = len(page.response.content) + sum(asset_bytes(a) for a in page.assets)
            if wire > LIMIT:
                over.append(f"{language} {page.url}: {wire:,} bytes")
    assert seen > 5
    assert over == []


@pytest.mark.django_db
def test_pages_are_compressed_on_the_wire(client, scenario) -> None:  # type: ignore[no-untyped-def]
    got = client.get("/", HTTP_ACCEPT_ENCODING="gzip")
    assert got["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(got.content)
