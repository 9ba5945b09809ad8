"""The operations map's answers: clusters or incidents, and the outlines the map is drawn on.

``maps.map_data`` and ``maps.outlines`` build them (the map's page reads the same); their
shapes are declared here."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from truceline.core.api import one_of
from truceline.incidents.models import State

POINTS_MODE = "in points mode only"
CLUSTERS_MODE = "in clusters mode only"


class MapPointOut(Schema):
    id: str
    lat: float
    lon: float
    state: Annotated[str, one_of(State.values)]
    category: str
    accused_party: str
    occurred_on: dt.date
    sector: str | None


class MapClusterOut(Schema):
    cell: str = Field(description="geohash of the grid cell")
    lat: float
    lon: float
    n: int
    states: dict[str, int] = Field(description="incidents per state")


class MapOut(Schema):
    """Clusters per grid cell when zoomed out, the incidents themselves when zoomed in; the
    public's points and clusters never sit on a true point (``rounded_to_km``)."""

    rounded_to_km: int | None = Field(description="null for those who see true points")
    mode: Literal["points", "clusters"]
    points: list[MapPointOut] | None = Field(None, description=POINTS_MODE)
    clusters: list[MapClusterOut] | None = Field(None, description=CLUSTERS_MODE)
    truncated: bool | None = Field(None, description=f"more were left out; {POINTS_MODE}")
    total: int


class OutlinePropertiesOut(Schema):
    kind: Literal["country", "border"]
    code: str | None = Field(None, description="countries: ISO alpha-2")
    name: str | None = Field(None, description="countries")


class OutlineGeometryOut(Schema):
    type: str
    coordinates: list[Any]


class OutlineFeatureOut(Schema):
    type: Literal["Feature"]
    properties: OutlinePropertiesOut
    geometry: OutlineGeometryOut


class OutlinesOut(Schema):
    """GeoJSON (a FeatureCollection): each party's outline, then their shared border."""

    type: Literal["FeatureCollection"]
    features: list[OutlineFeatureOut]
