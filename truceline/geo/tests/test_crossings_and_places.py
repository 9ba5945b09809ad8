"""Crossing status on the ledger, with its timeline; place suggestions in every script."""

from __future__ import annotations

import pytest

from truceline.ledger.models import Event

pytestmark = pytest.mark.django_db


def test_monitors_record_crossing_status_on_the_ledger(api) -> None:  # type: ignore[no-untyped-def]
    body = {"status": "closed", "since": "2025-10-12T06:00:00+05:00", "source": "Monitors' visit"}
    status, change = api.post("/crossings/torkham/status", body, as_="qa-monitor")
    assert status == 201, change
    assert Event.objects.get(seq=change["event_seq"]).kind == "crossing.status"
    reopened = dict(body, status="open", audiences=["trade"], since="2025-11-02T08:00:00+05:00")
    assert api.post("/crossings/torkham/status", reopened, as_="qa-monitor")[0] == 201
    now = {c["slug"]: c for c in api.get("/crossings")[1]["items"]}
    assert now["torkham"]["status"] == "open" and now["torkham"]["audiences"] == ["trade"]
    assert now["ghulam-khan"]["status"] == "unknown"
    history = api.get("/crossings/torkham")[1]["changes"]
    assert [c["status"] for c in history] == ["open", "closed"]
    # Only monitors record; a closed crossing is open to nobody; a town is not a crossing.
    assert api.post("/crossings/torkham/status", body, as_="pk-liaison")[0] == 403
    status, err = api.post(
        "/crossings/torkham/status", dict(body, audiences=["trade"]), as_="qa-monitor"
    )
    assert status == 422 and "audiences" in err["error"]["fields"]
    assert api.post("/crossings/parachinar/status", body, as_="qa-monitor")[0] == 404
    assert api.get("/crossings/nowhere")[0] == 404


def test_the_crossing_page_form(login) -> None:  # type: ignore[no-untyped-def]
    monitor = login("qa-monitor")
    bad = monitor.post(
        "/crossings/chaman-spin-boldak/", {"status": "open", "since": "", "source": "x"}
    )
    assert bad.status_code == 422 and b"aria-invalid" in bad.content
    good = monitor.post(
        "/crossings/chaman-spin-boldak/",
        {
            "status": "restricted",
            "audiences": ["trade"],
            "since": "2025-11-01T09:00+05:00",
            "source": "Customs",
        },
    )
    assert good.status_code == 302
    page = login("af-liaison").get("/crossings/chaman-spin-boldak/")
    assert b"Restricted" in page.content and b"Record a change" not in page.content
    assert login("af-liaison").post("/crossings/chaman-spin-boldak/", {}).status_code == 403


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("tork", "Torkham"),
        ("طورخم", "Torkham"),
        ("chaman", "Chaman"),  # the town first; the crossing follows
        ("miranshah", "Miran Shah"),
        ("landi", "Khyber"),  # Landi Kotal is in the scenario's gazetteer as Khyber's
    ],
)
def test_place_suggestions(api, typed, first) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get(f"/places/suggest?q={typed}")
    assert status == 200 and body["items"][0]["name"] == first, body


def test_nearest_place_to_a_point(api) -> None:  # type: ignore[no-untyped-def]
    status, body = api.get("/places/nearest?lat=34.10&lon=71.09")
    assert status == 200 and body["nearest_place"] == "Torkham" and body["country"] == "PK"
    assert api.get("/places/nearest?lat=95&lon=0")[0] == 422
