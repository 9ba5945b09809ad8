"""The tallies equal the incidents after every kind of write: filed, amended, triaged, merged,
opened, published, reconsidered, withdrawn."""

from __future__ import annotations

import pytest

from truceline.dashboards import tally
from truceline.dashboards.models import CellTally, WeekTally
from truceline.testing.story import FINDING, REPORT

pytestmark = pytest.mark.django_db


def _file(api, who="pk-liaison", **changes):  # type: ignore[no-untyped-def]
    body = dict(REPORT, **changes)
    if who == "af-liaison":
        body["accused_party"] = "pakistan"
    status, out = api.post("/reports", body, as_=who)
    assert status == 201, out
    return out["incident"]["id"], out["report"]["id"]


def test_tallies_follow_every_write(api) -> None:  # type: ignore[no-untyped-def]
    first, _ = _file(api)
    second, report = _file(api, location={"lat": 30.95, "lon": 66.44, "precision": "near"})
    third, _ = _file(api, who="af-liaison")
    assert tally.differences() == []
    assert sum(WeekTally.objects.values_list("n", flat=True)) == 3
    # An amendment moves the incident to another cell and another week.
    amended = dict(REPORT, occurred_at="2025-10-20T08:00:00Z")
    amended["location"] = {"lat": 34.0, "lon": 71.5, "precision": "near"}
    assert api.post(f"/reports/{report}/amend", amended, as_="pk-liaison")[0] == 200
    assert tally.differences() == []
    # Merge, triage, open, draft, vote, publish.
    assert api.post(f"/incidents/{second}/merge", {"into": third}, as_="qa-monitor")[0] == 200
    api.post(f"/incidents/{first}/triage", {"admissible": True}, as_="qa-monitor")
    api.post(f"/incidents/{first}/open", as_="qa-monitor")
    finding = api.post(f"/incidents/{first}/finding", FINDING, as_="qa-monitor")[1]["id"]
    for signatory in ("qa-signatory", "tr-signatory"):
        api.vote(finding, {"vote": "endorse"}, as_=signatory)
    for liaison in ("pk-liaison", "af-liaison"):
        api.post(f"/findings/{finding}/acknowledge", as_=liaison)
    assert api.post(f"/findings/{finding}/publish", as_="qa-monitor")[0] == 200
    assert tally.differences() == []
    published = WeekTally.objects.get(state="published", n=1)
    assert (published.public, published.determination) == (True, FINDING["determination"])
    assert CellTally.objects.filter(public=True, n=1).count() == 1
    # Reconsideration reopens it: counted as under verification again, still public.
    asked = api.post(
        f"/incidents/{first}/reconsideration", {"reasons": "New facts."}, as_="af-liaison"
    )
    api.post(
        f"/reconsiderations/{asked[1]['id']}/decide",
        {"accept": True, "reasons": "Yes."},
        as_="qa-monitor",
    )
    assert tally.differences() == []


def test_a_broken_tally_is_named_and_rebuilt(api) -> None:  # type: ignore[no-untyped-def]
    _file(api)
    WeekTally.objects.update(n=7)
    problems = tally.differences()
    assert len(problems) == 1 and "incidents say [1" in problems[0]
    assert tally.rebuild() == 1
    assert tally.differences() == []


def test_the_upgrade_fills_what_older_databases_lack(api) -> None:  # type: ignore[no-untyped-def]
    """Migration dashboards/0002 on rows written before geography and tallies existed."""
    import importlib

    from django.apps import apps

    from truceline.incidents.models import Incident
    from truceline.reports.models import Report

    incident, _ = _file(api)
    before = Incident.objects.values().get(pk=incident)
    blank = {"country": "", "border_km": None, "sector": None, "cell": "", "nearest_place": ""}
    Report.objects.update(**blank)
    Incident.objects.update(**blank, lat=None, lon=None, filers="")
    WeekTally.objects.all().delete()
    CellTally.objects.all().delete()
    importlib.import_module("truceline.dashboards.migrations.0002_backfill").forward(apps, None)
    after = Incident.objects.values().get(pk=incident)
    assert after == before
    assert Report.objects.get().sector_id == "khyber"
    assert tally.differences() == [] and WeekTally.objects.count() == 1


def test_the_tally_command(api, capsys) -> None:  # type: ignore[no-untyped-def]
    from django.core.management import CommandError, call_command

    _file(api)
    call_command("tally", "check")
    assert "equal" in capsys.readouterr().out
    CellTally.objects.update(n=5)
    with pytest.raises(CommandError, match="1 counts differ"):
        call_command("tally", "check")
    call_command("tally", "rebuild")
    call_command("tally", "check")
