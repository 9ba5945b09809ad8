"""The operations map's data: clusters per grid cell when zoomed out, points when zoomed in,
and the outlines it is drawn on — each viewer's share only (the compartment policy).

Clusters come from the per-cell tally (whole weeks) plus the incidents of the partial weeks at
either end of the date range, so a million incidents answer in milliseconds and a date range
still counts exactly. The public map counts published incidents only and never shows a true
point: clusters sit at their cell's centre, points at the scenario's rounded grid.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import shapely
from django.db.models import Count, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Substr

from truceline.dashboards.models import CellTally, CellTotal
from truceline.dashboards.tally import week_of
from truceline.geo import grid
from truceline.geo.derive import border
from truceline.geo.frame import current_frame
from truceline.geo.selectors import public_precision_km, round_point
from truceline.geo.world import countries
from truceline.incidents.models import Incident, State
from truceline.policy import sees_exact_location, visible_to

POINTS_ZOOM = 9  # from this zoom on the map shows incidents, not clusters
MAX_POINTS = 1000
HIDDEN_STATES = (State.MERGED, State.WITHDRAWN)  # the same event as another, or no event


@dataclass(frozen=True)
class MapFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None  # inclusive
    categories: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()  # the accused party
    states: tuple[str, ...] = ()
    sectors: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None  # south, west, north, east

    def _q(self, category: str, party: str, sector: str) -> Q:
        """The filters but dates and box, on columns of these names."""
        q = ~Q(state__in=HIDDEN_STATES) if not self.states else Q(state__in=self.states)
        for column, values in (
            (category, self.categories),
            (party, self.parties),
            (sector, self.sectors),
        ):
            if values:
                q &= Q(**{f"{column}__in": values})
        return q

    def tally_q(self) -> Q:
        return self._q("category", "accused", "sector")

    def incident_q(self) -> Q:
        q = self._q("category_id", "accused_party_id", "sector_id")
        if self.date_from:
            q &= Q(occurred_at__gte=_start(self.date_from))
        if self.date_to:
            q &= Q(occurred_at__lt=_start(self.date_to + dt.timedelta(days=1)))
        if self.bbox:
            south, west, north, east = self.bbox
            q &= Q(lat__gte=south, lat__lte=north, lon__gte=west, lon__lte=east)
        return q


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


@dataclass
class Cluster:
    cell: str
    n: int = 0
    sum_lat: float = 0.0
    sum_lon: float = 0.0
    states: dict[str, int] = field(default_factory=dict)

    def add(self, state: str, n: int, sum_lat: float, sum_lon: float) -> None:
        self.n += n
        self.sum_lat += sum_lat
        self.sum_lon += sum_lon
        self.states[state] = self.states.get(state, 0) + n


def _split_weeks(
    f: MapFilter,
) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """The whole weeks the tally can answer for, and the partial ranges left at either end."""
    if f.date_from is None and f.date_to is None:
        return (dt.date.min, dt.date.max), []
    start = f.date_from or dt.date.min
    end = f.date_to or dt.date.max
    first_whole = start if start.weekday() == 0 else week_of(_start(start)) + dt.timedelta(days=7)
    last_week = week_of(_start(end)) if end != dt.date.max else dt.date.max
    last_whole = (
        last_week if end == dt.date.max or end.weekday() == 6 else last_week - dt.timedelta(days=7)
    )
    if first_whole > last_whole:
        return None, [(start, end)]
    edges = []
    if start < first_whole:
        edges.append((start, first_whole - dt.timedelta(days=1)))
    if last_whole != dt.date.max and end > last_whole + dt.timedelta(days=6):
        edges.append((last_whole + dt.timedelta(days=7), end))
    return (first_whole, last_whole), edges


def _tally_rows(viewer: Any, f: MapFilter, whole: tuple[dt.date, dt.date]) -> QuerySet[Any]:
    """The visible count rows for the whole weeks: the all-time table when no date is set."""
    if whole == (dt.date.min, dt.date.max):
        return visible_to(viewer, CellTotal).filter(f.tally_q(), n__gt=0)
    return visible_to(viewer, CellTally).filter(
        f.tally_q(), n__gt=0, week__gte=whole[0], week__lte=whole[1]
    )


def _grouped(viewer: Any, f: MapFilter, by: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """(*by, n, sum of lat, sum of lon) over the filter's dates: whole weeks from the tallies,
    the days at either end from the incidents, both grouped by the database."""
    whole, edges = _split_weeks(MapFilter(**{**f.__dict__, "bbox": None}))
    out: list[tuple[Any, ...]] = []
    if whole is not None:
        out += list(
            _tally_rows(viewer, f, whole)
            .values(*by)
            .annotate(total=Sum("n"), lat=Sum("sum_lat"), lon=Sum("sum_lon"))
            .values_list(*by, "total", "lat", "lon")
            .order_by()
        )
    names = {"cell": "cell4", "sector": "sector_or", "state": "state"}
    for start, end in edges:
        part = MapFilter(**{**f.__dict__, "date_from": start, "date_to": end, "bbox": None})
        out += list(
            visible_to(viewer, Incident)
            .filter(part.incident_q(), lat__isnull=False)
            .annotate(
                cell4=Substr("cell", 1, grid.TALLY_PRECISION),
                sector_or=Coalesce("sector_id", Value("")),
            )
            .values(*(names[b] for b in by))
            .annotate(total=Count("pk"), slat=Sum("lat"), slon=Sum("lon"))
            .values_list(*(names[b] for b in by), "total", "slat", "slon")
            .order_by()
        )
    return out


def clusters(viewer: Any, f: MapFilter, precision: int) -> list[Cluster]:
    """Counts per cell of ``precision`` characters (at most the tally's four)."""
    precision = min(precision, grid.TALLY_PRECISION)
    out: dict[str, Cluster] = {}
    for cell, state, n, slat, slon in _grouped(viewer, f, ("cell", "state")):
        key = cell[:precision]
        out.setdefault(key, Cluster(key)).add(state, n, slat or 0.0, slon or 0.0)
    found = list(out.values())
    if f.bbox:
        found = [c for c in found if _overlaps(grid.bounds(c.cell), f.bbox)]
    return sorted(found, key=lambda c: -c.n)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return not (a[2] < b[0] or a[0] > b[2] or a[3] < b[1] or a[1] > b[3])


def points(viewer: Any, f: MapFilter, limit: int = MAX_POINTS) -> tuple[list[dict[str, Any]], bool]:
    """The incidents themselves (newest first), at most ``limit``; whether more were left out."""
    rows = list(
        visible_to(viewer, Incident)
        .filter(f.incident_q(), lat__isnull=False)
        .order_by("-occurred_at")
        .values(
            "id",
            "lat",
            "lon",
            "state",
            "category_id",
            "accused_party_id",
            "occurred_at",
            "sector_id",
        )[: limit + 1]
    )
    exact = sees_exact_location(viewer)
    km = None if exact else public_precision_km()
    out = []
    for r in rows[:limit]:
        lat, lon = r["lat"] or 0.0, r["lon"] or 0.0  # never None: filtered above
        if not exact:
            lat, lon = round_point(lat, lon, km)
        out.append(
            {
                "id": r["id"],
                "lat": lat,
                "lon": lon,
                "state": r["state"],
                "category": r["category_id"],
                "accused_party": r["accused_party_id"],
                "occurred_on": r["occurred_at"].date().isoformat(),
                "sector": r["sector_id"],
            }
        )
    return out, len(rows) > limit


def map_data(viewer: Any, f: MapFilter, zoom: int) -> dict[str, Any]:
    exact = sees_exact_location(viewer)
    body: dict[str, Any] = {"rounded_to_km": None if exact else public_precision_km()}
    if zoom >= POINTS_ZOOM:
        found, more = points(viewer, f)
        return body | {"mode": "points", "points": found, "truncated": more, "total": len(found)}
    precision = 3 if zoom <= 6 else 4
    found_clusters = clusters(viewer, f, precision)
    items = []
    for c in found_clusters:
        if exact:
            lat, lon = c.sum_lat / c.n, c.sum_lon / c.n
        else:  # never a true point (a cluster of one would be one)
            lat, lon = grid.centre(c.cell)
        items.append(
            {
                "cell": c.cell,
                "lat": round(lat, 4),
                "lon": round(lon, 4),
                "n": c.n,
                "states": c.states,
            }
        )
    return body | {"mode": "clusters", "clusters": items, "total": sum(c.n for c in found_clusters)}


@cache
def _outlines(codes: tuple[str, ...]) -> str:
    world = countries()
    features = []
    for code in codes:
        if code in world:
            shape = shapely.simplify(world[code].geometry, 0.01, preserve_topology=True)
            features.append(
                {
                    "type": "Feature",
                    "properties": {"kind": "country", "code": code, "name": world[code].name},
                    "geometry": json.loads(shapely.to_geojson(shape, indent=None)),
                }
            )
    line = border(codes)
    if line is not None:
        features.append(
            {
                "type": "Feature",
                "properties": {"kind": "border"},
                "geometry": json.loads(shapely.to_geojson(shapely.simplify(line, 0.005))),
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":"))


def outlines() -> str:
    """GeoJSON of the parties' outlines and their shared border, simplified for slow links."""
    return _outlines(current_frame().party_codes)


def sector_summary(viewer: Any, f: MapFilter) -> list[dict[str, Any]]:
    """The map's table: counts per sector and state, for those who cannot use the map."""
    table: dict[str, dict[str, int]] = defaultdict(dict)
    for sector, state, n, _lat, _lon in _grouped(viewer, f, ("sector", "state")):
        table[sector][state] = table[sector].get(state, 0) + n
    return [{"sector": s, "states": st, "n": sum(st.values())} for s, st in sorted(table.items())]
