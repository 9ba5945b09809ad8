"""Words, not slugs: no page shows a scenario slug, an enum value or an event kind as text.

Every page each role reaches (the crawler) is read as a person reads it — the text outside
code, scripts and attributes. In English, a hyphenated or dotted lower-case value (an enum
value, an event kind) or a scenario object's slug is a failure, unless it is an English word
written that way; in right-to-left languages, any Latin-script token equal to such a value is.
What people wrote is not checked: the reports' narratives (the synthetic ones are English prose,
shown as the filer wrote them) and the reader's own username.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.test import Client

from truceline.accounts.testing import force_sign_in
from truceline.core.synthetic import generate
from truceline.ledger.kinds import KINDS
from truceline.reports.models import Report
from truceline.scenario.models import Category, Commitment, Organisation, Place, Sector
from truceline.testing.crawl import crawl
from truceline.testing.pages import Text

# English words that are written with a hyphen, and the product's own names
ENGLISH = {
    "append-only", "cross-border", "non-state", "follow-up", "hand-over", "time-based",
    "comma-separated", "e.g", "i.e", "re-encoded", "read-only", "one-time", "up-to-date",
    "so-called", "self-defence", "de-escalation", "well-known", "built-in", "long-term",
    "short-term", "check-in", "sign-in", "step-by-step", "two-factor", "co-signed",
    "cosigned", "third-party", "open-source", "left-to-right", "right-to-left",
}  # fmt: skip
TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-.][A-Za-z0-9]+)+|[a-z]+")
USERNAME = re.compile(r"^[a-z]{2}-(liaison|monitor|signatory)$")


def slugs() -> set[str]:
    found = set(KINDS)
    for model in (Organisation, Category, Commitment, Place, Sector):
        found |= set(model.objects.values_list("pk", flat=True))
    return found


def enum_values() -> set[str]:
    """Every value of every field with choices in the project's models (states, grades,
    determinations, kinds, sharing levels, roles...): in a right-to-left page a Latin-script
    word equal to one is a value shown where its label should be."""
    found: set[str] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("truceline."):
            continue
        for field in model._meta.get_fields():
            for value, _label in getattr(field, "choices", None) or []:
                if isinstance(value, str) and value:
                    found.add(value)
    return found


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role", ["anonymous", "pk-liaison", "af-liaison", "qa-monitor", "qa-signatory", "admin"]
)
@pytest.mark.parametrize("language", ["en", "ur", "ps", "prs", "ar"])
def test_no_page_shows_a_slug(people, role: str, language: str) -> None:  # type: ignore[no-untyped-def]
    generate(30, seed=3)
    values = slugs()
    if language != "en":  # in Latin script an enum value may be an English word ("high")
        values |= enum_values()
    # a person's own words, shown as they wrote them, are not the page's
    written = sorted(set(Report.objects.values_list("narrative", flat=True)), key=len)[::-1]
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    own = ""
    if role != "anonymous":
        force_sign_in(client, people[role])
        own = people[role].username
    shown: dict[str, set[str]] = {}
    pages = 0
    for page in crawl(client, per_shape=1, max_pages=60):
        pages += 1
        text = Text()
        text.feed(page.html)
        joined = " ".join(text.parts)
        for words in written:
            joined = joined.replace(words, " ")
        for token in TOKEN.findall(joined):
            if token in ENGLISH or USERNAME.match(token) or token == own:
                continue
            slug_like = token in values or re.fullmatch(r"[a-z]+(?:[-.][a-z]+)+", token)
            if slug_like:
                shown.setdefault(token, set()).add(page.url)
    assert pages > 5
    assert shown == {}, "\n".join(f"{t}: {sorted(u)[:3]}" for t, u in sorted(shown.items()))
