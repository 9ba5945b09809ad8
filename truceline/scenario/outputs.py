"""The scenario's answer: parties, mediators, categories, commitments, places (their slugs)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Schema

from truceline.policy import visible_to
from truceline.scenario import models as m


class OrganisationOut(Schema):
    slug: str
    name: str
    kind: str
    guarantor: bool
    country_code: str
    time_zone: str
    names: dict[str, str]


class CategoryOut(Schema):
    slug: str
    name: str
    description: str
    acled_event_type: str
    acled_sub_event_type: str


class IndicatorOut(Schema):
    slug: str
    name: str
    description: str = ""
    categories: list[str] = []


class CommitmentOut(Schema):
    slug: str
    title: str
    text: str
    parties: list[str]
    indicators: list[IndicatorOut]
    introduced_by: str | None


class SectorOut(Schema):
    slug: str
    name: str


class PlaceOut(Schema):
    slug: str
    name: str
    kind: str
    country: str | None
    sector: str | None
    lat: float
    lon: float
    aliases: list[dict[str, str]]


class ActorOut(Schema):
    slug: str
    name: str
    kind: str
    organisation: str | None
    affiliation: str
    role: str
    aliases: list[dict[str, str]]


class MechanismOut(Schema):
    reply_window_hours: int
    embargo_hours: int
    quorum: int
    clocks: dict[str, int]
    public_precision_km: int


class ScenarioOut(Schema):
    slug: str
    title: str
    agreement: dict[str, str]
    mechanism: MechanismOut
    parties: list[OrganisationOut]
    mediators: list[OrganisationOut]
    categories: list[CategoryOut]
    commitments: list[CommitmentOut]
    sectors: list[SectorOut]
    places: list[PlaceOut]
    actors: list[ActorOut]


def _date(value: dt.date) -> str:
    return value.isoformat()


def scenario_out(user: Any, head: m.Scenario) -> dict[str, Any]:
    """The scenario as this viewer may see it (what ``visible_to`` gives of each part)."""
    orgs = list(visible_to(user, m.Organisation).filter(retired=False))
    commitments = visible_to(user, m.Commitment).filter(retired=False).prefetch_related("parties")
    return {
        "slug": head.slug,
        "title": head.title,
        "agreement": {
            "title": head.agreement_title,
            "date": _date(head.agreement_date),
            "venue": head.agreement_venue,
            "text": head.agreement_text,
        },
        "mechanism": {
            "reply_window_hours": head.reply_window_hours,
            "embargo_hours": head.embargo_hours,
            "quorum": head.quorum,
            "clocks": head.clocks,
            "public_precision_km": head.public_precision_km,
        },
        "parties": [o for o in orgs if o.kind == m.OrganisationKind.PARTY],
        "mediators": [o for o in orgs if o.kind == m.OrganisationKind.MEDIATOR],
        "categories": list(visible_to(user, m.Category).filter(retired=False)),
        "commitments": [
            {
                "slug": c.slug,
                "title": c.title,
                "text": c.text,
                "parties": [p.slug for p in c.parties.all()],
                "indicators": c.indicators,
                "introduced_by": c.introduced_by_id,
            }
            for c in commitments
        ],
        "sectors": list(visible_to(user, m.Sector).filter(retired=False)),
        "places": [
            {
                "slug": p.slug,
                "name": p.name,
                "kind": p.kind,
                "country": p.country_id,
                "sector": p.sector_id,
                "lat": p.lat,
                "lon": p.lon,
                "aliases": p.aliases,
            }
            for p in visible_to(user, m.Place).filter(retired=False)
        ],
        "actors": [
            {
                "slug": a.slug,
                "name": a.name,
                "kind": a.kind,
                "organisation": a.organisation_id,
                "affiliation": a.affiliation,
                "role": a.role,
                "aliases": a.aliases,
            }
            for a in visible_to(user, m.Actor).filter(retired=False)
        ],
    }
