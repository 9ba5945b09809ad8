"""The scenario's frame of reference for derivation, read from the database once per scenario
version (keyed by the loaded scenario's digest)."""

from __future__ import annotations

from typing import Any

from truceline.geo.derive import Frame, Geo, Named, Sector, derive
from truceline.scenario import models as sm

_cache: dict[str, Frame] = {}


def frame_of(
    organisation: Any = sm.Organisation, sector: Any = sm.Sector, place: Any = sm.Place
) -> Frame:
    """The frame from these models (a migration passes its historical ones)."""
    # Points people name a spot by; countries, provinces and regions are too wide to be one.
    places = place.objects.filter(
        retired=False, kind__in=("crossing", "post", "town", "city", "district")
    ).order_by("slug")
    return Frame(
        party_codes=tuple(
            organisation.objects.filter(kind="party")
            .exclude(country_code="")
            .order_by("order", "slug")
            .values_list("country_code", flat=True)
        ),
        sectors=tuple(
            Sector(s.slug, (s.start_lat, s.start_lon), (s.end_lat, s.end_lon))
            for s in sector.objects.filter(retired=False).order_by("order", "slug")
        ),
        crossings=tuple(
            Named(p.slug, p.name, p.lat, p.lon) for p in places if p.kind == "crossing"
        ),
        places=tuple(Named(p.slug, p.name, p.lat, p.lon) for p in places),
    )


def current_frame() -> Frame:
    digest = sm.Scenario.objects.values_list("digest", flat=True).first() or ""
    frame = _cache.get(digest)
    if frame is None:
        frame = frame_of()
        _cache.clear()
        _cache[digest] = frame
    return frame


def geography(lat: float, lon: float) -> Geo:
    return derive(current_frame(), lat, lon)
