"""The map's data and the dashboard, on synthetic incidents: each role's share, exact counts
over any date range, rounding for the public, clear refusals of bad filters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.auth.models import AnonymousUser

from truceline.core.synthetic import generate
from truceline.dashboards import tally
from truceline.dashboards.maps import HIDDEN_STATES, MapFilter, map_data
from truceline.geo.selectors import round_point
from truceline.incidents.models import Incident
from truceline.ledger.models import Event
from truceline.policy import visible_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def synthetic(people):  # type: ignore[no-untyped-def]
    assert generate(600, seed=7) == 600
    return people


def _expected(viewer, f: MapFilter) -> int:  # type: ignore[no-untyped-def]
    return visible_to(viewer, Incident).filter(f.incident_q(), lat__isnull=False).count()


def test_the_generator_writes_a_counted_and_logged_batch(synthetic) -> None:  # type: ignore[no-untyped-def]
    assert Incident.objects.count() == 600
    assert tally.differences() == []
    event = Event.objects.get(kind="demo.synthetic")
    assert json.loads(event.payload)["incidents"] == 600
    states = set(Incident.objects.values_list("state", flat=True))
    assert {"published", "inadmissible", "under-verification"} <= states
    # Most fall near the border, on either side; categories follow the scenario's order.
    near = Incident.objects.filter(border_km__lte=60).count()
    assert near > 400
    assert set(Incident.objects.values_list("country", flat=True)) >= {"PK", "AF"}


@pytest.mark.parametrize("who", ["qa-monitor", "pk-liaison", "af-liaison", None])
@pytest.mark.parametrize(
    "f",
    [
        MapFilter(),
        # Partial weeks at both ends: counted from the incidents, whole weeks from the tally.
        MapFilter(date_from=dt.date(2025, 10, 22), date_to=dt.date(2026, 2, 3)),
        MapFilter(date_from=dt.date(2025, 11, 5), date_to=dt.date(2025, 11, 6)),
        MapFilter(categories=("cross-border-fire",), parties=("afghanistan",)),
        MapFilter(states=("published", "merged"), sectors=("kurram", "khyber")),
    ],
    ids=["all", "range", "two-days", "category-party", "state-sector"],
)
def test_clusters_count_exactly_what_each_viewer_may_see(synthetic, who, f) -> None:  # type: ignore[no-untyped-def]
    viewer = synthetic[who] if who else AnonymousUser()
    for zoom in (4, 7):
        body = map_data(viewer, f, zoom)
        assert body["mode"] == "clusters"
        assert body["total"] == sum(c["n"] for c in body["clusters"]) == _expected(viewer, f)


def test_the_public_sees_published_incidents_on_a_rounded_grid(synthetic) -> None:  # type: ignore[no-untyped-def]
    public = AnonymousUser()
    body = map_data(public, MapFilter(bbox=(29, 60, 38, 75)), 10)
    assert body["mode"] == "points" and body["rounded_to_km"] == 10
    published = dict(Incident.objects.filter(published_at__isnull=False).values_list("id", "lat"))
    assert body["points"] and all(p["id"] in published for p in body["points"])
    for p in body["points"]:
        assert (p["lat"], p["lon"]) == round_point(p["lat"], p["lon"])  # on the grid
        assert p["lat"] != published[p["id"]]
    # Clusters for the public sit at their cell's centre, never at a mean of true points.
    for c in map_data(public, MapFilter(), 7)["clusters"]:
        assert len(c["cell"]) == 4
    monitor = map_data(synthetic["qa-monitor"], MapFilter(bbox=(29, 60, 38, 75)), 10)
    assert monitor["rounded_to_km"] is None
    assert {p["state"] for p in monitor["points"]} - {"published"}
    assert not {p["state"] for p in monitor["points"]} & set(HIDDEN_STATES)


def test_the_map_api_refuses_bad_filters_clearly(api, synthetic) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get("/map?from=2025-13-01&category=nope&bbox=1,2,3&zoom=99")
    assert status == 422
    fields = body["error"]["fields"]
    assert {"from", "category", "bbox"} <= set(fields) or "zoom" in fields
    status, body = api.get("/map?from=2026-02-01&to=2026-01-01")
    assert status == 422 and "to" in body["error"]["fields"]
    status, body = api.get("/map?zoom=5&party=pakistan", as_="af-liaison")
    assert status == 200 and body["mode"] == "clusters"
    status, outlines = api.get("/map/outlines")
    assert status == 200
    kinds = sorted(f["properties"]["kind"] for f in outlines["features"])
    assert kinds == ["border", "country", "country"]


def test_the_map_page_reads_the_session(login, synthetic) -> None:  # type: ignore[no-untyped-def]
    client = login("qa-monitor")
    assert client.get("/map/").status_code == 200
    answer = client.get("/api/v1/map?zoom=5").json()
    assert answer["rounded_to_km"] is None  # the signed-in monitor, not the public
    assert client.get("/map/?from=yesterday").status_code == 422


def test_dashboard_for_the_public_and_the_mechanism(client, login, synthetic) -> None:  # type: ignore[no-untyped-def]
    public = client.get("/dashboard/")
    assert public.status_code == 200
    text = public.content.decode()
    assert "days since the ceasefire" in text and "<svg" in text
    assert "Verification queue" not in text
    monitor = login("qa-monitor").get("/dashboard/").content.decode()
    assert "Verification queue" in monitor and "Reply windows closing" in monitor
    assert client.get("/dashboard/?category=nope").status_code == 422


def test_the_reply_clock_stops_at_the_first_reply(api) -> None:  # type: ignore[no-untyped-def]
    import time_machine

    from truceline.dashboards.selectors import clocks
    from truceline.scenario.models import Scenario
    from truceline.testing.story import REPORT

    start = dt.datetime(2025, 11, 3, 8, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        incident = api.post("/reports", REPORT, as_="pk-liaison")[1]["incident"]["id"]
        api.post(f"/incidents/{incident}/triage", {"admissible": True}, as_="qa-monitor")
        assert api.post(f"/incidents/{incident}/open", as_="qa-monitor")[0] == 200
    for hours in (10, 30):
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            assert (
                api.post(f"/incidents/{incident}/responses", {"text": "No."}, as_="af-liaison")[0]
                == 201
            )
    found = clocks(
        Incident.objects.get(pk=incident),
        Scenario.objects.get().clocks,
        start + dt.timedelta(days=3),
    )
    reply = next(c for c in found if c["name"] == "reply")
    assert (reply["hours"], reply["running"], reply["late"]) == (10.0, False, False)
