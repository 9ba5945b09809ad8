"""Every page in Urdu, Pashto, Dari and Arabic is in that language: no string of the project's
English catalogue or of Django's own (the msgids: they are the English) is left in the text a
person reads (outside code, scripts, URLs and attributes), for each role, on every page the
crawler reaches. The browser stories check the same on the pages they pass through."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.test import Client

from truceline.accounts.testing import force_sign_in
from truceline.core.synthetic import generate
from truceline.testing.crawl import crawl
from truceline.testing.pages import Text

PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\{?\s*\w+\s*\}?\}|\{\w*\}")
WORDS = re.compile(r"[A-Za-z]{2,}(?:[ '’,:;.-]+[A-Za-z]{2,})+")  # two Latin words or more
# English that may stand in any language's page: the product's name, units, codes
ALLOWED = {"Truceline", "UTC", "km", "kB", "MB", "SHA-256", "PDF", "CSV", "JSON", "GeoJSON"}


def msgids() -> set[str]:
    """The English of every message: the project's catalogue and Django's, cut at their
    placeholders into pieces of two words or more."""
    catalogues = [Path(settings.BASE_DIR) / "locale" / "ar" / "LC_MESSAGES" / "django.mo"]
    django_locale = Path(django.__file__).parent / "conf" / "locale" / "ar" / "LC_MESSAGES"
    catalogues += [django_locale / "django.mo"]
    catalogues += sorted(Path(django.__file__).parent.glob("contrib/*/locale/ar/LC_MESSAGES/*.mo"))
    pieces: set[str] = set()
    for path in catalogues:
        with path.open("rb") as f:
            ids = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
        for msgid in ids:
            text = msgid[0] if isinstance(msgid, tuple) else msgid
            if not text or "\x04" in text:  # the header; contexts are kept with their text
                text = text.split("\x04")[-1] if text else ""
            for piece in PLACEHOLDER.split(text):
                piece = " ".join(piece.split()).strip(" .,:;")
                if WORDS.fullmatch(piece):
                    pieces.add(piece)
    return pieces


def english_left(html: str, english: set[str]) -> set[str]:
    text = Text()
    text.feed(html)
    found = set()
    for run in WORDS.findall(" ".join(" ".join(text.parts).split())):
        run = run.strip(" .,:;")
        if run in ALLOWED:
            continue
        found |= {piece for piece in english if piece in run}
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["anonymous", "pk-liaison", "af-liaison", "qa-monitor"])
@pytest.mark.parametrize("language", ["ur", "ps", "prs", "ar"])
def test_no_english_is_left_in_a_translated_page(people, role: str, language: str) -> None:  # type: ignore[no-untyped-def]
    generate(30, seed=3)
    english = msgids()
    assert len(english) > 500  # the catalogues were read
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if role != "anonymous":
        force_sign_in(client, people[role])
    left: dict[str, set[str]] = {}
    pages = 0
    for page in crawl(client, per_shape=1, max_pages=60):
        pages += 1
        assert f'lang="{language}"' in page.html.split(">", 2)[1], page.url
        for piece in english_left(page.html, english):
            left.setdefault(piece, set()).add(page.url)
    assert pages > 5
    assert left == {}, "\n".join(f"{p!r}: {sorted(u)[:3]}" for p, u in sorted(left.items()))


def test_the_check_finds_english_left_in_a_page() -> None:
    english = msgids()
    page = '<html lang="ur"><body><p>آج</p><p>Save draft</p><code>Sign in</code></body></html>'
    assert "Save draft" in english_left(page, english)
    assert "Sign in" not in english_left(page, english)  # inside code
