"""GET /map, /map/outlines: the operations map's data, each viewer's share only."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema

from truceline.core.api import PageOrBearer, errors
from truceline.dashboards.maps import POINTS_ZOOM, map_data, outlines
from truceline.dashboards.outputs import MapOut, OutlinesOut
from truceline.dashboards.params import map_filter

router = Router(tags=["map"])


class MapQuery(Schema):
    """Documented here; read by dashboards/params.py, as the map page reads its form."""

    from_: str | None = Field(None, alias="from", description="YYYY-MM-DD, inclusive")
    to: str | None = Field(None, description="YYYY-MM-DD, inclusive")
    category: list[str] = Field([], description="category slugs (repeat the parameter)")
    party: list[str] = Field([], description="accused party slugs")
    state: list[str] = Field([], description="incident states (default: all but merged, withdrawn)")
    sector: list[str] = Field([], description="sector slugs")
    bbox: str | None = Field(None, description="south,west,north,east")
    zoom: int = Field(
        6, ge=0, le=20, description=f"clusters below {POINTS_ZOOM}, incidents from it on"
    )


@router.get(
    "/map",
    response={200: MapOut, **errors(401, 422)},
    auth=PageOrBearer(),
    summary="Incidents for the map: clusters per grid cell, or incidents when zoomed in",
    exclude_unset=True,
)
def map_get(request: HttpRequest, q: Query[MapQuery]) -> dict[str, Any]:
    f, zoom = map_filter(request.GET)
    return map_data(request.user, f, zoom)


@router.get(
    "/map/outlines",
    response={200: OutlinesOut, **errors(400)},
    auth=None,
    summary="GeoJSON of the parties' outlines and their shared border (Natural Earth 1:10m)",
)
def map_outlines(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(outlines(), content_type="application/geo+json")
    response["Cache-Control"] = "public, max-age=86400"
    return response
