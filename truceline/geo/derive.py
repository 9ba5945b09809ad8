"""Derived geography: for a point, which side of the border it is on, how far from the border,
the nearest stretch of border (sector), crossing and named place, the province and district
where the data allows, and its grid cell. Computed once, when a report is written.

The frame of reference comes from the scenario (its parties' country codes, sectors and places)
and the installed outlines and towns (world.py). Everything works on arrays so that a million
synthetic points derive in one call; ``derive`` is the same code for one point.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt
import shapely

from truceline.geo import grid, world

EARTH_KM = 6371.0088  # mean radius (IUGG)
TOWN_KM = 60.0  # province/district are taken from the nearest town within this distance


@dataclass(frozen=True)
class Geo:
    country: str  # ISO alpha-2 of the country the point is in; "" at sea or outside the data
    border_km: float | None  # distance to the parties' shared border, None without a border
    sector: str | None  # slug of the nearest named stretch of border
    crossing: str | None  # slug of the nearest crossing
    crossing_km: float | None
    nearest: str  # name of the nearest named place (scenario place or town)
    nearest_km: float | None
    province: str
    district: str
    cell: str


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


@dataclass(frozen=True)
class Named:
    slug: str | None
    name: str
    lat: float
    lon: float
    province: str = ""
    district: str = ""


@dataclass(frozen=True)
class Sector:
    slug: str
    start: tuple[float, float]
    end: tuple[float, float]


@dataclass(frozen=True)
class Frame:
    """What derivation needs of the scenario, in plain values (hashable, so it caches)."""

    party_codes: tuple[str, ...]
    sectors: tuple[Sector, ...]
    crossings: tuple[Named, ...]
    places: tuple[Named, ...]


@cache
def border(codes: tuple[str, ...]) -> shapely.Geometry | None:
    world_ = world.countries()
    pieces = [
        world.shared_border(a, b)
        for i, a in enumerate(codes)
        for b in codes[i + 1 :]
        if a in world_ and b in world_
    ]
    pieces = [p for p in pieces if not p.is_empty]
    if not pieces:
        return None
    line = shapely.union_all(pieces)
    shapely.prepare(line)
    return line


@cache
def _gazetteer(frame: Frame) -> tuple[tuple[Named, ...], np.ndarray, np.ndarray]:
    """Scenario places first (they win ties), then the installed towns of the parties."""
    named = list(frame.places) + [
        Named(None, t.name, t.lat, t.lon, t.province, t.district)
        for t in world.towns(frozenset(frame.party_codes))
    ]
    return tuple(named), np.array([n.lat for n in named]), np.array([n.lon for n in named])


def _project(lat: np.ndarray, lon: np.ndarray, lat0: float) -> tuple[np.ndarray, np.ndarray]:
    """Equirectangular km around lat0: good for choosing the nearest point, not for measuring it."""
    return lon * 111.32 * math.cos(math.radians(lat0)), lat * 110.574


def _nearest(
    lat: np.ndarray, lon: np.ndarray, plat: np.ndarray, plon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index of and distance to the nearest of the given points, in chunks (N x P)."""
    idx = np.zeros(lat.size, dtype=np.int64)
    dist = np.full(lat.size, np.inf)
    if plat.size == 0:
        return idx, dist
    step = max(1, 2_000_000 // plat.size)
    for s in range(0, lat.size, step):
        d = haversine_km(
            lat[s : s + step, None], lon[s : s + step, None], plat[None, :], plon[None, :]
        )
        idx[s : s + step] = d.argmin(axis=1)
        dist[s : s + step] = d[np.arange(d.shape[0]), idx[s : s + step]]
    return idx, dist


def derive_many(frame: Frame, lats: npt.ArrayLike, lons: npt.ArrayLike) -> list[Geo]:
    lat = np.asarray(lats, dtype=np.float64).ravel()
    lon = np.asarray(lons, dtype=np.float64).ravel()
    n = lat.size
    # Country: the first country (of the parties first, then the world) that contains the point.
    country = np.full(n, "", dtype=object)
    all_countries = world.countries()
    order = [c for c in frame.party_codes if c in all_countries] + [
        c for c in all_countries if c not in frame.party_codes
    ]
    left = np.ones(n, dtype=bool)
    for code in order:
        if not left.any():
            break
        geometry = all_countries[code].geometry
        minx, miny, maxx, maxy = geometry.bounds
        box = left & (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
        if not box.any():
            continue
        inside = np.zeros(n, dtype=bool)
        inside[box] = shapely.contains_xy(geometry, lon[box], lat[box])
        country[inside] = code
        left &= ~inside
    # Distance to the border: the nearest border point chosen in a local projection, then the
    # great-circle distance to it.
    shared = border(frame.party_codes)
    border_km = np.full(n, np.nan)
    near_lat = np.full(n, np.nan)
    near_lon = np.full(n, np.nan)
    if shared is not None:
        lat0 = float(np.mean(shared.bounds[1::2]))
        pieces = [shared] if shared.geom_type == "LineString" else list(shared.geoms)
        lines = [
            shapely.linestrings(np.column_stack(_project(c[:, 1], c[:, 0], lat0)))
            for c in map(shapely.get_coordinates, pieces)
        ]
        projected = lines[0] if len(lines) == 1 else shapely.multilinestrings(lines)
        px, py = _project(lat, lon, lat0)
        points = shapely.points(px, py)
        foot = shapely.get_coordinates(shapely.shortest_line(points, projected))[1::2]
        near_lon = foot[:, 0] / (111.32 * math.cos(math.radians(lat0)))
        near_lat = foot[:, 1] / 110.574
        border_km = haversine_km(lat, lon, near_lat, near_lon)
    # Sector: the named stretch whose straight line passes nearest the border point.
    sector: list[str | None] = [None] * n
    if frame.sectors and shared is not None:
        lat0 = float(np.nanmean(near_lat)) if n else 0.0
        ex, ey = _project(near_lat, near_lon, lat0)
        best = np.full(n, np.inf)
        best_i = np.zeros(n, dtype=np.int64)
        for i, s in enumerate(frame.sectors):
            ax, ay = _project(np.array(s.start[0]), np.array(s.start[1]), lat0)
            cx, cy = _project(np.array(s.end[0]), np.array(s.end[1]), lat0)
            dx, dy = cx - ax, cy - ay
            length2 = dx * dx + dy * dy or 1e-12
            t = np.clip(((ex - ax) * dx + (ey - ay) * dy) / length2, 0, 1)
            d = np.hypot(ex - (ax + t * dx), ey - (ay + t * dy))
            closer = d < best
            best[closer] = d[closer]
            best_i[closer] = i
        in_parties = np.isin(country, list(frame.party_codes))
        sector = [
            frame.sectors[i].slug if ok else None for i, ok in zip(best_i, in_parties, strict=True)
        ]
    # Nearest crossing and nearest named place.
    c_idx, c_km = _nearest(
        lat,
        lon,
        np.array([c.lat for c in frame.crossings]),
        np.array([c.lon for c in frame.crossings]),
    )
    named, glat, glon = _gazetteer(frame)
    g_idx, g_km = _nearest(lat, lon, glat, glon)
    first_town = len(frame.places)
    t_idx, t_km = _nearest(lat, lon, glat[first_town:], glon[first_town:])
    cells = grid.encode_many(lat, lon)

    def km(v: float) -> float | None:
        return None if not math.isfinite(v) else round(float(v), 1)

    out = []
    for i in range(n):
        place = named[g_idx[i]] if named else None
        # Province and district: from the nearest installed town, if it is near enough.
        town = named[first_town + t_idx[i]] if t_km[i] <= TOWN_KM else None
        out.append(
            Geo(
                country=str(country[i]),
                border_km=km(border_km[i]),
                sector=sector[i],
                crossing=frame.crossings[c_idx[i]].slug if frame.crossings else None,
                crossing_km=km(c_km[i]) if frame.crossings else None,
                nearest=place.name if place else "",
                nearest_km=km(g_km[i]) if place else None,
                province=town.province if town else "",
                district=town.district if town else "",
                cell=cells[i],
            )
        )
    return out


def derive(frame: Frame, lat: float, lon: float) -> Geo:
    return derive_many(frame, [lat], [lon])[0]
