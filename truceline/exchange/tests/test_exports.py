"""Exports: each format parses as what it claims (HXL read by libhxl, GeoJSON by the geojson
package), holds exactly what the viewer may see, and rounds places for the public."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import geojson
import hxl
import pytest

from truceline.core.synthetic import generate
from truceline.exchange.exports import ACLED_COLUMNS, COLUMNS, EXACT_COLUMNS
from truceline.geo.selectors import public_precision_km, round_point
from truceline.incidents.models import Incident
from truceline.testing.incidents import make_incident

pytestmark = pytest.mark.django_db


def body(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content[:300]
    assert response.streaming
    return b"".join(response.streaming_content).decode()


@pytest.fixture
def incidents(people) -> dict[str, Incident]:  # type: ignore[no-untyped-def]
    generate(120, seed=7)
    return {
        "published": make_incident(people, "published"),
        "shared": make_incident(people, "under-verification"),
    }


def test_csv_with_hxl_hashtags_read_by_libhxl(api, incidents, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    token = api.token("qa-monitor")
    text = body(
        api.client.get("/api/v1/exports/incidents.csv", HTTP_AUTHORIZATION=f"Bearer {token}")
    )
    path = tmp_path / "incidents.csv"
    path.write_text(text, encoding="utf-8")
    dataset = hxl.data(str(path), hxl.InputOptions(allow_local=True))
    tags = {str(c.get_display_tag(sort_attributes=False)) for c in dataset.columns}
    expected = {tag for _c, tag in COLUMNS + EXACT_COLUMNS}
    assert tags == expected
    ids = [row.get("#event+id") for row in dataset]
    assert len(ids) == Incident.objects.count() and len(set(ids)) == len(ids)
    assert incidents["shared"].pk in ids


def test_the_public_gets_published_incidents_with_rounded_places(client, incidents) -> None:  # type: ignore[no-untyped-def]
    text = body(client.get("/api/v1/exports/incidents.jsonl"))
    rows = [json.loads(line) for line in text.splitlines()]
    published = Incident.objects.filter(state="published")
    assert {r["id"] for r in rows} == set(published.values_list("id", flat=True))
    assert incidents["shared"].pk not in {r["id"] for r in rows}
    km = public_precision_km()
    for r in rows:
        true = published.get(pk=r["id"])
        assert (r["lat"], r["lon"]) == round_point(true.lat, true.lon, km)
        assert r["rounded_to_km"] == km and "province" not in r
    # the page's download is the same stream
    assert body(client.get("/exports/incidents.jsonl")) == text
    assert client.get("/exports/incidents.pdf").status_code == 404
    assert client.get("/exports/incidents.csv?from=yesterday").status_code == 422
    assert client.get("/api/v1/exports/incidents.csv?from=yesterday").status_code == 422


def test_geojson_is_valid_and_filters_apply(api, incidents) -> None:  # type: ignore[no-untyped-def]
    token = api.token("af-liaison")
    text = body(
        api.client.get(
            "/api/v1/exports/incidents.geojson?party=afghanistan",
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )
    )
    collection = geojson.loads(text)
    assert collection.is_valid, collection.errors()
    ids = {f["id"] for f in collection["features"]}
    assert incidents["shared"].pk in ids  # shared with Afghanistan: its liaison sees it
    for f in collection["features"]:
        assert f["properties"]["accused_party"] == "afghanistan"
        lon, lat = f["geometry"]["coordinates"]
        assert 23 < lat < 39 and 60 < lon < 78  # both parties, [lon, lat] order


def test_acled_columns_and_mapping(api, incidents) -> None:  # type: ignore[no-untyped-def]
    token = api.token("tr-monitor")
    text = body(
        api.client.get("/api/v1/exports/incidents.acled", HTTP_AUTHORIZATION=f"Bearer {token}")
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0].keys()) == ACLED_COLUMNS
    published = next(r for r in rows if r["event_id_cnty"] == incidents["published"].pk)
    assert published["event_type"] == "Explosions/Remote violence"  # shelling, per the scenario
    assert published["actor1"] == "Afghanistan"  # the party the finding attributes it to
    assert published["geo_precision"] == "1"
    assert published["country"] in {"Pakistan", "Afghanistan"} and published["iso"] in {"586", "4"}
    shared = next(r for r in rows if r["event_id_cnty"] == incidents["shared"].pk)
    assert shared["actor1"] == "Afghanistan (alleged)"
