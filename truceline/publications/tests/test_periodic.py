"""The periodic verification report: real PDFs from WeasyPrint, read back with pypdf."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from pypdf import PdfReader

from truceline.core.errors import Invalid
from truceline.followup.services import RequestInput, SubjectInput, request_make
from truceline.publications.periodic import render_pdf
from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db

START = dt.date(2025, 10, 19)


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def findings(people):  # type: ignore[no-untyped-def]
    published = [make_incident(people, "published") for _ in range(2)]
    endorsed = make_incident(people, "endorsed")
    request_make(
        actor=people["pk-liaison"],
        data=RequestInput(
            to_party="afghanistan",
            kind="hand-over",
            grounds="led the attack",
            deadline=dt.datetime.now(dt.UTC) + dt.timedelta(days=3),
            subjects=[SubjectInput("Qari Abdul Wali")],
        ),
    )
    return {
        "published": [i.findings.get().pk for i in published],
        "endorsed": endorsed.findings.get().pk,
    }


def test_each_edition_holds_what_its_readers_may_see(findings) -> None:  # type: ignore[no-untyped-def]
    end = dt.date.today()
    public = text_of(render_pdf(START, end, "public"))
    parties = text_of(render_pdf(START, end, "parties"))
    for fid in findings["published"]:
        assert fid in public and fid in parties
    assert findings["endorsed"] not in public  # endorsed, not yet published
    assert findings["endorsed"] in parties  # both parties may see it
    assert "Verification report" in public and "Public edition" in public
    assert "Ledger checkpoint" in public and "Tree size" in public
    assert "Qari" not in parties and "Qari" not in public  # names never in a report
    assert "Mortar rounds" not in public  # the filer's narrative is no part of it
    assert "REQ-" in parties and "REQ-" not in public  # open requests: the parties' edition


def test_bad_ranges_are_refused(people) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Invalid):
        render_pdf(dt.date(2026, 1, 2), dt.date(2026, 1, 1), "public")
    with pytest.raises(Invalid) as refused:
        render_pdf(START, START.replace(year=START.year + 26), "public")
    assert refused.value.fields == {"to": ["at most 25 years after the first day"]}


def words_outside_the_page(pdf: bytes, tmp_path: Path) -> list[str]:
    """Each word that pdftotext places outside its page's printable area (the page less a
    5 mm margin at each side), with its page number."""
    src = tmp_path / "report.pdf"
    src.write_bytes(pdf)
    html = subprocess.run(
        ["pdftotext", "-bbox", str(src), "-"], check=True, capture_output=True, text=True
    ).stdout
    margin = 5 / 25.4 * 72
    outside = []
    for n, page in enumerate(re.findall(r"<page (.*?)</page>", html, re.S), start=1):
        width = float(re.search(r'width="([\d.]+)"', page)[1])  # type: ignore[index]
        height = float(re.search(r'height="([\d.]+)"', page)[1])  # type: ignore[index]
        for x0, _y0, x1, y1, word in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        ):
            if float(x0) < margin or float(x1) > width - margin or float(y1) > height:
                outside.append(f"page {n}: {word}")
    return outside


@pytest.mark.processes  # pdftotext
def test_a_report_of_the_mechanisms_tenth_year_fits_its_pages(findings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    end = START.replace(year=START.year + 10) - dt.timedelta(days=1)
    assert words_outside_the_page(render_pdf(START, end, "parties"), tmp_path) == []


def test_a_report_of_the_mechanisms_tenth_year(findings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    end = START.replace(year=START.year + 10) - dt.timedelta(days=1)
    pdf = render_pdf(START, end, "parties")
    text = text_of(pdf)
    assert "per quarter" in text  # ten years of weeks would be 522 bars
    assert findings["endorsed"] in text
    for month in ("2034-11", "2035-10"):  # the compliance table's first and last months
        assert month in text
    # a year is drawn per week, two years per month
    assert "per week" in text_of(render_pdf(START, START + dt.timedelta(days=200), "public"))
    assert "per month" in text_of(render_pdf(START, START + dt.timedelta(days=800), "public"))


def test_the_command_and_the_download(findings, tmp_path, client, login) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "report.pdf"
    end = dt.date.today().isoformat()
    call_command("report", "--from", START.isoformat(), "--to", end, "--out", str(out))
    assert findings["endorsed"] in text_of(out.read_bytes())
    with pytest.raises(CommandError, match="a date"):
        call_command("report", "--from", "soon", "--to", end, "--out", str(out))
    # the public's dates of choice lead to the stored editions (test_editions.py)
    got = client.get(f"/reports/periodic/?from={START}&to={end}&edition=public")
    assert got.status_code == 302 and got["Location"] == "/reports/periodic/all.pdf"
    assert (
        client.get(f"/reports/periodic/?from={START}&to={end}&edition=parties").status_code == 404
    )
    assert client.get("/reports/periodic/?from=x&to=y").status_code == 403
    liaison = login("af-liaison")
    assert liaison.get("/reports/periodic/any/?from=x&to=y").status_code == 422
    got = liaison.get(f"/reports/periodic/any/?from={START}&to={end}&edition=parties")
    assert got.status_code == 200 and findings["endorsed"] in text_of(got.content)
    got = liaison.get(f"/reports/periodic/any/?from={START}&to={end}&edition=public")
    assert got.status_code == 200 and findings["published"][0] in text_of(got.content)
