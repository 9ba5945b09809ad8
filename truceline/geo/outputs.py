"""Geography's answers: derived geography, locations as each viewer may see them, places and
crossings — their schemas and the builders the API calls.

``selectors.geo_out`` and ``selectors.location_out`` build the first two (reports, incidents
and the pages use them); their shapes are declared here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.geo.models import CrossingChange, CrossingState
from truceline.geo.selectors import CrossingNow, Suggestion

ABSENT_FOR_THE_PUBLIC = "absent where the location is rounded for the public"


class GeoOut(Schema):
    """The geography derived from a point. The public, shown a rounded point, gets the
    country and sector only; ``flag`` is the mechanism's."""

    country: str | None = Field(description="ISO alpha-2; null at sea")
    distance_to_border_km: float | None = Field(None, description=ABSENT_FOR_THE_PUBLIC)
    sector: str | None
    nearest_place: str | None = Field(None, description=ABSENT_FOR_THE_PUBLIC)
    nearest_place_km: float | None = Field(None, description=ABSENT_FOR_THE_PUBLIC)
    nearest_crossing: str | None = Field(None, description=ABSENT_FOR_THE_PUBLIC)
    nearest_crossing_km: float | None = Field(None, description=ABSENT_FOR_THE_PUBLIC)
    province: str | None = Field(None, description=ABSENT_FOR_THE_PUBLIC)
    district: str | None = Field(None, description=ABSENT_FOR_THE_PUBLIC)
    cell: str | None = Field(None, description=f"geohash; {ABSENT_FOR_THE_PUBLIC}")
    flag: str | None = Field(None, description="what a monitor should check (the mechanism only)")


class LocationOut(Schema):
    """Where an incident happened: the true point to those who may see it; to the public the
    point rounded to the scenario's precision (``rounded_to_km``)."""

    lat: float
    lon: float
    rounded_to_km: int | None = Field(None, description="present when the point is rounded")
    geo: GeoOut


class NearestOut(Schema):
    nearest_place: str | None
    nearest_place_km: float | None
    country: str | None
    distance_to_border_km: float | None
    sector: str | None
    nearest_crossing: str | None


class SuggestionOut(Schema):
    name: str
    matched: str = Field(description="the spelling that matched (an alias, in its own script)")
    lang: str
    kind: str = Field(description="a scenario place kind, or town")
    slug: str | None = Field(description="scenario places only")
    lat: float
    lon: float
    province: str


class SuggestionsOut(Schema):
    items: list[SuggestionOut]


CrossingStatus = Annotated[str, one_of(CrossingState.values)]


class CrossingNowOut(Schema):
    slug: str
    name: str
    lat: float
    lon: float
    status: Annotated[str, one_of([*CrossingState.values, "unknown"])] = Field(
        description="unknown before any record"
    )
    audiences: list[str]
    since: dt.datetime | None
    source: str
    closed_days: float | None = Field(description="how long it has been closed, when it is")


class CrossingsOut(Schema):
    items: list[CrossingNowOut]


class CrossingChangeOut(Schema):
    id: str
    crossing: str
    status: CrossingStatus
    audiences: list[str]
    since: dt.datetime
    source: str
    note: str
    recorded_at: dt.datetime
    event_seq: int


class CrossingHistoryOut(Schema):
    slug: str
    name: str
    changes: list[CrossingChangeOut]


def suggestions_out(found: list[Suggestion]) -> dict[str, Any]:
    return {"items": [s.__dict__ for s in found]}


def change_out(change: CrossingChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "crossing": change.crossing_id,
        "status": change.status,
        "audiences": change.audiences,
        "since": change.since,
        "source": change.source,
        "note": change.note,
        "recorded_at": change.recorded_at,
        "event_seq": change.event_seq,
    }


def crossings_out(found: list[CrossingNow]) -> dict[str, Any]:
    return {
        "items": [
            {
                "slug": c.place.slug,
                "name": c.place.name,
                "lat": c.place.lat,
                "lon": c.place.lon,
                "status": c.status,
                "audiences": c.audiences,
                "since": c.since,
                "source": c.source,
                "closed_days": c.closed_days,
            }
            for c in found
        ]
    }


def crossing_history_out(place: Any, changes: list[CrossingChange]) -> dict[str, Any]:
    return {"slug": place.slug, "name": place.name, "changes": [change_out(c) for c in changes]}
