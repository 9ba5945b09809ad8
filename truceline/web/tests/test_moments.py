"""Times in the reader's zone, always with the zone: forms read a time in the zone they name,
pages show every time with its offset, and no template renders a time any other way."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from truceline.accounts.models import User
from truceline.accounts.testing import force_sign_in
from truceline.reports.models import Report

TEMPLATES = Path(settings.BASE_DIR)
# The printed report is rendered with no reader's zone active: it says "UTC" in its own words.
EXEMPT = {"publications/templates/publications/periodic.html"}
# a time variable printed as it is (form values typed back into their inputs aside)
BARE_TIME = re.compile(
    r"\{\{ (?!form\.|fields\.|posted\.)[\w.]*(_at|deadline|since|until|_due) \}\}"
)
DATE_WITH_HOURS = re.compile(r'\|date:"[^"]*[HGhgi][^"]*"')


def test_no_template_shows_a_time_without_its_zone() -> None:
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        rel = str(path.relative_to(TEMPLATES))
        if rel in EXEMPT:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for pattern in (BARE_TIME, DATE_WITH_HOURS):
                for match in pattern.finditer(line):
                    offenders.append(f"{rel}:{n}: {match[0]}")
    assert offenders == [], "use |moment or |moment_utc:\n" + "\n".join(offenders)


def signed_in(user: User) -> Client:
    client = Client()
    force_sign_in(client, user)
    return client


def file_at(user: User, local: str) -> Report:
    client = signed_in(user)
    form = client.get("/reports/new/").content.decode()
    # the form says which zone it reads the time in: the filer's own
    offset = {"Asia/Karachi": "UTC+05:00", "Asia/Kabul": "UTC+04:30"}[user.time_zone]
    assert f"{offset}, {user.time_zone}" in form, form[:3000]
    filed = client.post(
        "/reports/new/",
        {
            "category": "shelling",
            "accused_party": "afghanistan" if user.organisation_id == "pakistan" else "pakistan",
            "occurred_at": local,
            "time_precision": "exact",
            "lat": "34.1",
            "lon": "71.1",
            "location_precision": "near",
            "narrative": f"Shelling at {local} local time, by {user.username}",
            "confidentiality": "parties",
        },
    )
    assert filed.status_code == 302, filed.content.decode()[:1500]
    return Report.objects.get(narrative=f"Shelling at {local} local time, by {user.username}")


@pytest.mark.django_db
def test_a_time_typed_in_karachi_or_kabul_is_stored_as_that_instant(people) -> None:  # type: ignore[no-untyped-def]
    pk, af, monitor = people["pk-liaison"], people["af-liaison"], people["qa-monitor"]
    User.objects.filter(pk=pk.pk).update(time_zone="Asia/Karachi")
    User.objects.filter(pk=af.pk).update(time_zone="Asia/Kabul")
    User.objects.filter(pk=monitor.pk).update(time_zone="Asia/Qatar")
    for user in (pk, af, monitor):
        user.refresh_from_db()

    karachi = file_at(pk, "2026-11-02T01:30")
    assert karachi.occurred_at == dt.datetime(2026, 11, 1, 20, 30, tzinfo=dt.UTC)
    kabul = file_at(af, "2026-11-02T01:30")
    assert kabul.occurred_at == dt.datetime(2026, 11, 1, 21, 0, tzinfo=dt.UTC)

    # A monitor in Doha sees the same moments in Doha's time, with the zone
    page = signed_in(monitor).get(f"/incidents/{karachi.incident_id}/").content.decode()
    assert (
        '<time datetime="2026-11-01T20:30:00Z" dir="ltr">2026-11-01 23:30 UTC+03:00</time>' in page
    )
    page = signed_in(monitor).get(f"/incidents/{kabul.incident_id}/").content.decode()
    assert (
        '<time datetime="2026-11-01T21:00:00Z" dir="ltr">2026-11-02 00:00 UTC+03:00</time>' in page
    )
    # and the filer sees its own time as typed
    page = signed_in(pk).get(f"/incidents/{karachi.incident_id}/").content.decode()
    assert "2026-11-02 01:30 UTC+05:00" in page


def test_deadlines_show_the_readers_time_and_utc() -> None:
    from django.utils import timezone

    from truceline.web.templatetags.moments import moment, moment_utc

    instant = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    with timezone.override("Asia/Kabul"):
        assert str(moment_utc(instant)) == (
            '<time datetime="2026-03-01T12:00:00Z" dir="ltr">2026-03-01 16:30 UTC+04:30 '
            "(2026-03-01 12:00 UTC)</time>"
        )
        assert "UTC+04:30" in str(moment(instant))
    with timezone.override(dt.UTC):
        assert str(moment_utc(instant)).count("UTC") == 1
    assert moment(None) == "—"
