"""The stored public editions: built by the worker for each month, quarter and since the
ceasefire, served to anyone as stored (a row read, never a build), appended as versions when
what they show changes, each version on the ledger; other dates for signed-in readers only,
rate limited."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from truceline.ledger.models import Event
from truceline.publications import editions
from truceline.publications.models import Edition
from truceline.publications.periodic import build
from truceline.testing.incidents import make_incident
from truceline.testing.tasks import work
from truceline.testing.world import published_with_sealed_answer

pytestmark = pytest.mark.django_db
SEALED = "Orvane5Witness"
# A day soon after the ceasefire (19 Oct 2025): four fixed periods (since the ceasefire, the
# fourth quarter, October and November), so that a rebuild of all is a handful of PDFs.
DAY = dt.datetime(2025, 11, 20, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _soon_after_the_ceasefire(settings):  # type: ignore[no-untyped-def]
    settings.TRUCELINE_EDITION_LANGUAGES = ["en"]  # each PDF costs a second or so
    with time_machine.travel(DAY, tick=True):
        yield


def text_of(pdf: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def waiting() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="refresh", status="READY").count()


def month_key() -> str:
    return f"{timezone.now():%Y-%m}"


def test_the_fixed_periods(people) -> None:  # type: ignore[no-untyped-def]
    periods = editions.fixed_periods(dt.date(2026, 2, 10))  # the ceasefire: 19 Oct 2025
    assert [p.key for p in periods] == [
        "all",
        "2026-Q1",
        "2025-Q4",
        "2026-02",
        "2026-01",
        "2025-12",
        "2025-11",
        "2025-10",
    ]
    assert (periods[0].start, periods[0].end) == (dt.date(2025, 10, 19), dt.date(2026, 2, 10))
    q1 = periods[1]
    assert (q1.start, q1.end) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert editions.period_of("2025-09", dt.date(2026, 2, 10)) is None  # before the ceasefire
    assert editions.period_of("2026-03", dt.date(2026, 2, 10)) is None  # not begun
    assert editions.period_of("2026-13", dt.date(2026, 2, 10)) is None


def test_a_period_not_built_yet_is_being_prepared_and_the_request_builds_nothing(
    people, client, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    DBTaskResult.objects.all().delete()
    for _ in range(3):
        got = client.get(f"/reports/periodic/{month_key()}.pdf")
        assert got.status_code == 503 and got["Retry-After"] == "600"
        assert "being prepared" in got.content.decode()
    assert waiting() == 1  # one rebuild asked for, however many readers came
    assert Edition.objects.count() == 0
    assert client.get("/reports/periodic/2019-01/").status_code == 404
    assert client.get("/reports/periodic/2019-1/").status_code == 404


def test_the_worker_stores_every_period_and_anyone_reads_it_as_stored(
    people, client, settings, django_assert_max_num_queries, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    settings.TRUCELINE_EDITION_LANGUAGES = ["en", "ur"]  # the site's own and a right-to-left one
    published = published_with_sealed_answer(people, SEALED).findings.get()
    endorsed = make_incident(people, "endorsed").findings.get()
    assert waiting() == 1  # the events asked for one rebuild
    with (
        time_machine.travel(timezone.now() + dt.timedelta(minutes=11)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        work()  # the worker, run as deployed, when the rebuild is due
    assert waiting() == 1  # the next: when the month closes
    keys = {p.key for p in editions.fixed_periods()}
    assert set(Edition.objects.values_list("period", flat=True)) == keys
    assert len(keys) == 4 and Edition.objects.filter(language="ur").count() == len(keys)
    # each version on the ledger, with the hash of each of its files
    event = Event.objects.filter(kind="edition.published", object_id=month_key()).get()
    row = Edition.objects.get(period=month_key(), language="en")
    assert event.actor_id is None
    assert row.pdf_sha256 in event.payload and row.html_sha256 in event.payload
    # served as stored: a few queries, no build
    with django_assert_max_num_queries(6):
        pdf = client.get(f"/reports/periodic/{month_key()}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == row.pdf_sha256
    html = client.get(f"/reports/periodic/{month_key()}/")
    nonce = html.wsgi_request.csp_nonce  # type: ignore[attr-defined]
    page = html.content.decode()
    assert f'<style nonce="{nonce}">' in page and editions.NONCE not in page
    # what the public sees: published material, seals applied, the same in both files
    for text in (page, text_of(pdf.content)):
        assert published.pk in text and endorsed.pk not in text
        assert SEALED not in text and "[sealed]" in text
    # the same content as the edition built now
    with_now = build(row.start, row.end, "public")
    assert editions.fingerprint(with_now) == row.fingerprint
    # the reader's language
    urdu = client.get(f"/reports/periodic/{month_key()}/", HTTP_ACCEPT_LANGUAGE="ur")
    assert urdu["Content-Language"] == "ur"


def test_a_rebuild_appends_a_version_only_when_the_edition_changed(people, client) -> None:  # type: ignore[no-untyped-def]
    first = make_incident(people, "published").findings.get()
    editions.editions_refresh()
    assert editions.editions_refresh() == []  # nothing changed: nothing appended
    count = Edition.objects.count()
    second = make_incident(people, "published").findings.get()
    changed = editions.editions_refresh()
    assert {"all", month_key()} <= set(changed)
    assert Edition.objects.count() == count + len(changed) * len(editions._languages())
    new = text_of(client.get(f"/reports/periodic/{month_key()}.pdf").content)
    old = text_of(client.get(f"/reports/periodic/{month_key()}.pdf?version=1").content)
    assert second.pk in new and first.pk in new
    assert second.pk not in old and first.pk in old  # the earlier version is kept as it was
    assert client.get(f"/reports/periodic/{month_key()}.pdf?version=9").status_code == 404
    assert Event.objects.filter(kind="edition.published", object_id=month_key()).count() == 2
    index = client.get("/reports/periodic/").content.decode()
    assert "version 2" in index and f'href="/reports/periodic/{month_key()}/"' in index


def test_events_that_change_nothing_public_ask_for_no_rebuild(people) -> None:  # type: ignore[no-untyped-def]
    from truceline.accounts.services import token_create

    DBTaskResult.objects.all().delete()
    token_create(actor=None, user=people["pk-liaison"])
    assert waiting() == 0
    make_incident(people, "received")
    assert waiting() == 1


def test_other_dates_are_for_signed_in_readers_rate_limited(
    people, client, login, settings
) -> None:  # type: ignore[no-untyped-def]
    make_incident(people, "published")
    editions.editions_refresh(only={month_key()})
    today = timezone.now().date()
    week = f"from={today - dt.timedelta(days=6)}&to={today}&edition=public"
    refused = client.get(f"/reports/periodic/?{week}")
    assert refused.status_code == 403
    assert "for signed-in readers" in refused.content.decode()
    assert client.get(f"/reports/periodic/any/?{week}").status_code == 403
    # a fixed period's dates lead to its stored edition
    start = editions.first_day()
    whole = client.get(f"/reports/periodic/?from={start}&to={today}&edition=public")
    assert whole.status_code == 302 and whole["Location"] == "/reports/periodic/all.pdf"
    settings.TRUCELINE_RATE_LIMITS = {**settings.TRUCELINE_RATE_LIMITS, "report": "2/h"}
    liaison = login("pk-liaison")
    moved = liaison.get(f"/reports/periodic/?{week}&format=html")
    assert moved.status_code == 302 and moved["Location"].startswith("/reports/periodic/any/?")
    assert liaison.get(moved["Location"]).status_code == 200
    assert liaison.get(f"/reports/periodic/any/?{week}").status_code == 200
    assert liaison.get(f"/reports/periodic/any/?{week}").status_code == 429
    # the stored editions are not counted
    assert liaison.get(f"/reports/periodic/{month_key()}.pdf").status_code == 200
