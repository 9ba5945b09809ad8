"""The parties' languages: Pashto and Dari beside Django's own, chosen as browsers ask."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "lang", "direction"),
    [
        ("prs", "prs", "rtl"),
        ("prs-AF,en;q=0.5", "prs", "rtl"),
        ("fa-AF,fa;q=0.9", "prs", "rtl"),
        ("ps-AF", "ps", "rtl"),
        ("ur-PK,en;q=0.8", "ur", "rtl"),
        ("ar-QA", "ar", "rtl"),
        ("tr-TR", "tr", "ltr"),
        ("de-DE", "en", "ltr"),
    ],
)
def test_the_browsers_language_is_chosen(scenario, header: str, lang: str, direction: str) -> None:  # type: ignore[no-untyped-def]
    page = Client(HTTP_ACCEPT_LANGUAGE=header).get("/").content.decode()
    assert f'<html lang="{lang}" dir="{direction}">' in page


def test_dari_reads_djangos_own_strings_from_its_persian_catalogue() -> None:
    with translation.override("fa"):
        persian = translation.gettext("This field is required.")
    with translation.override("prs"):
        dari = translation.gettext("This field is required.")
        assert dari == persian != "This field is required."
        assert translation.get_language_bidi()
        assert translation.get_language_info("prs")["name_local"] == "دری"


@pytest.mark.django_db
def test_every_page_offers_the_languages_and_the_choice_is_kept(scenario) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    page = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    for code in ("ur", "ps", "prs", "ar", "tr"):
        assert f'<option value="{code}" lang="{code}"' in page
    chosen = client.post("/i18n/setlang/", {"language": "ps", "next": "/"})
    assert chosen.status_code == 302
    assert '<html lang="ps" dir="rtl">' in client.get("/").content.decode()
