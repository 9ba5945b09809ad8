"""Reading geography: derived columns as the API shows them, the gazetteer's suggestions,
crossing status, and the rounding every public surface applies to locations."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from truceline.geo.derive import Frame
from truceline.geo.frame import current_frame, geography
from truceline.geo.models import CrossingChange, CrossingState
from truceline.geo.world import towns
from truceline.policy import sees_exact_location, sees_mechanism, visible_to
from truceline.scenario.models import Place, PlaceKind, Scenario


def geo_out(obj: Any, viewer: Any) -> dict[str, Any]:
    """The derived geography of a report or incident; the monitor's flag for the mechanism."""
    body: dict[str, Any] = {
        "country": obj.country or None,
        "distance_to_border_km": obj.border_km,
        "sector": obj.sector_id,
        "nearest_place": obj.nearest_place or None,
        "nearest_place_km": obj.nearest_km,
        "nearest_crossing": obj.crossing_id,
        "nearest_crossing_km": obj.crossing_km,
        "province": obj.province or None,
        "district": obj.district or None,
        "cell": obj.cell or None,
    }
    if sees_mechanism(viewer):
        body["flag"] = obj.geo_flag or None
    return body


# --- public rounding -------------------------------------------------------------------------


def public_precision_km() -> int:
    return Scenario.objects.values_list("public_precision_km", flat=True).first() or 10


def round_point(lat: float, lon: float, km: float | None = None) -> tuple[float, float]:
    """Snap a point to the centre of a grid square of about ``km`` on a side (the scenario's
    public precision): what every public surface shows instead of the true point."""
    km = km or public_precision_km()
    dlat = km / 110.574
    rlat = (math.floor(lat / dlat) + 0.5) * dlat
    dlon = km / (111.32 * max(math.cos(math.radians(rlat)), 0.01))
    rlon = (math.floor(lon / dlon) + 0.5) * dlon
    return round(rlat, 4), round(rlon, 4)


# --- gazetteer -------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Case- and accent-insensitive form; Arabic-script letters are kept as they are."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in kept).split())


@dataclass(frozen=True)
class Suggestion:
    name: str
    matched: str  # the spelling that matched (an alias, in its own script)
    lang: str
    kind: str  # a scenario place kind, or "town"
    slug: str | None  # scenario places only
    lat: float
    lon: float
    province: str


@cache
def _index(
    frame: Frame,
    places: tuple[tuple[str, str, str, float, float, tuple[tuple[str, str], ...]], ...],
) -> tuple[tuple[str, Suggestion], ...]:
    entries: list[tuple[str, Suggestion]] = []
    for slug, name, kind, lat, lon, aliases in places:
        for spelling, lang in ((name, "en"), *aliases):
            entries.append(
                (_fold(spelling), Suggestion(name, spelling, lang, kind, slug, lat, lon, ""))
            )
    for town in towns(frozenset(frame.party_codes)):
        entries.append(
            (
                _fold(town.name),
                Suggestion(
                    town.name, town.name, "en", "town", None, town.lat, town.lon, town.province
                ),
            )
        )
    return tuple(entries)


def place_suggestions(query: str, limit: int = 10) -> list[Suggestion]:
    """Places whose name or alias (any script) starts with, or has a word starting with, the
    query: the scenario's own places first, then the installed towns."""
    q = _fold(query)
    if not q:
        return []
    places = tuple(
        (
            p.slug,
            p.name,
            p.kind,
            p.lat,
            p.lon,
            tuple((a["name"], a.get("lang", "en")) for a in p.aliases),
        )
        for p in Place.objects.filter(retired=False).order_by("name")
    )
    found: list[tuple[int, int, str, Suggestion]] = []
    seen: set[tuple[str, float, float]] = set()
    for folded, s in _index(current_frame(), places):
        if folded.startswith(q):
            rank = 0
        elif f" {q}" in f" {folded}":
            rank = 1
        else:
            continue
        key = (s.name, s.lat, s.lon)
        if key in seen:
            continue
        seen.add(key)
        found.append((rank, 0 if s.slug else 1, s.name, s))
    found.sort(key=lambda t: t[:3])
    return [t[3] for t in found[:limit]]


def nearest_named(lat: float, lon: float) -> dict[str, Any]:
    geo = geography(lat, lon)
    return {
        "nearest_place": geo.nearest or None,
        "nearest_place_km": geo.nearest_km,
        "country": geo.country or None,
        "distance_to_border_km": geo.border_km,
        "sector": geo.sector,
        "nearest_crossing": geo.crossing,
    }


# --- crossings -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CrossingNow:
    place: Place
    status: str  # a CrossingState, or "unknown" before any record
    audiences: list[str]
    since: dt.datetime | None
    source: str
    closed_days: float | None  # how long it has been closed, when it is

    @property
    def status_label(self) -> str:
        if self.status == "unknown":
            return str(_("Not recorded"))
        return str(CrossingState(self.status).label)


def crossings_now(viewer: Any, at: dt.datetime | None = None) -> list[CrossingNow]:
    """Every crossing with its latest recorded status (public: DESIGN.md lists crossing status
    among what the public sees)."""
    at = at or timezone.now()
    crossings = (
        visible_to(viewer, Place).filter(kind=PlaceKind.CROSSING, retired=False).order_by("name")
    )
    changes = (
        visible_to(viewer, CrossingChange)
        .filter(since__lte=at)
        .order_by("crossing_id", "-since", "-recorded_at")
    )
    latest: dict[str, CrossingChange] = {}
    for change in changes:
        latest.setdefault(change.crossing_id, change)
    out = []
    for place in crossings:
        found = latest.get(place.slug)
        if found is None:
            out.append(CrossingNow(place, "unknown", [], None, "", None))
            continue
        closed = None
        if found.status == CrossingState.CLOSED:
            closed = round((at - found.since).total_seconds() / 86400, 1)
        out.append(
            CrossingNow(place, found.status, found.audiences, found.since, found.source, closed)
        )
    return out


def crossing_timeline(viewer: Any, place: Place) -> list[CrossingChange]:
    return list(
        visible_to(viewer, CrossingChange)
        .filter(crossing=place)
        .order_by("-since", "-recorded_at")
        .select_related("recorded_by")
    )


def location_out(obj: Any, viewer: Any) -> dict[str, Any] | None:
    """Where an incident happened, as this viewer may see it: the public gets the point
    rounded to the scenario's precision and the coarse geography only."""
    if obj.lat is None or obj.lon is None:
        return None
    if sees_exact_location(viewer):
        return {"lat": obj.lat, "lon": obj.lon, "geo": geo_out(obj, viewer)}
    km = public_precision_km()
    lat, lon = round_point(obj.lat, obj.lon, km)
    return {
        "lat": lat,
        "lon": lon,
        "rounded_to_km": km,
        "geo": {"country": obj.country or None, "sector": obj.sector_id},
    }
