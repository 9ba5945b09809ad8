"""A map as SVG for the printed report: the parties' outlines, their shared border and the
incidents of the period (rounded as the reader may see them), drawn by the server."""

from __future__ import annotations

import json
import math
from html import escape
from typing import Any

from django.db.models import QuerySet

from truceline.geo.selectors import public_precision_km, round_point
from truceline.policy import sees_exact_location

COLOURS = {"published": "#b3261e", "endorsed": "#7a4e00"}
DEFAULT = "#1f5f99"


def incident_map(viewer: Any, incidents: QuerySet[Any], width: int = 640, height: int = 520) -> str:
    from truceline.dashboards.maps import outlines

    data = json.loads(outlines())
    coords: list[tuple[float, float]] = []

    def walk(geometry: dict[str, Any]) -> list[list[tuple[float, float]]]:
        kind, c = geometry["type"], geometry["coordinates"]
        rings = {
            "Polygon": c,
            "MultiPolygon": [ring for poly in c for ring in poly],
            "LineString": [c],
            "MultiLineString": c,
        }.get(kind, [])
        return [[(float(x), float(y)) for x, y in ring] for ring in rings]

    shapes = []
    for feature in data["features"]:
        rings = walk(feature["geometry"])
        shapes.append((feature["properties"]["kind"], rings))
        for ring in rings:
            coords.extend(ring)
    if not coords:
        return ""
    min_x = min(x for x, _ in coords)
    max_x = max(x for x, _ in coords)
    min_y = min(y for _, y in coords)
    max_y = max(y for _, y in coords)
    k = math.cos(math.radians((min_y + max_y) / 2))
    scale = min((width - 20) / ((max_x - min_x) * k), (height - 20) / (max_y - min_y))

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return 10 + (lon - min_x) * k * scale, 10 + (max_y - lat) * scale

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="map-title" class="map">',
        '<title id="map-title">Incidents of the period; the border between the parties</title>',
        f'<rect width="{width}" height="{height}" fill="#eef3f7"/>',
    ]
    for kind, rings in shapes:
        for ring in rings:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(*p) for p in ring))
            if kind == "country":
                out.append(f'<polygon points="{path}" fill="#ffffff" stroke="#8a8a8a"/>')
            else:
                out.append(
                    f'<polyline points="{path}" fill="none" stroke="#222" stroke-width="2"/>'
                )
    exact = sees_exact_location(viewer)
    km = public_precision_km()
    for lat, lon, state in incidents.exclude(lat=None).values_list("lat", "lon", "state")[:5000]:
        if not exact:
            lat, lon = round_point(lat, lon, km)
        x, y = xy(lon, lat)
        colour = COLOURS.get(state, DEFAULT)
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}" fill-opacity="0.7">'
            f"<title>{escape(state)}</title></circle>"
        )
    out.append("</svg>")
    return "".join(out)
