"""Synthetic incidents for demonstrations and benchmarks (`truceline demo --incidents N`).

Realistic in shape, not in fact, and never mistaken for records:
- places: around the scenario's own places and the installed towns near the shared border,
  weighted towards crossings and border districts, spread a few kilometres, most within 30 km
  of the border, some deep inside either party (strikes, attacks on cities);
- categories: the scenario's, the first ones (its order) the most frequent;
- who: the party on whose side the point lies files most of them against the other;
- when: from the agreement's date to now, falling off after the ceasefire with flare-up weeks;
- where they stand: old incidents mostly decided (published, inadmissible, merged), recent
  ones still received or under verification.

Each report's narrative says it is synthetic, and one ledger event records the batch (how
many, the seed, a digest of the identifiers). Rows are bulk-written in chunks (the workflow's
services are one incident at a time); derived geography is computed by the same code as for a
real report, and the tallies are rebuilt at the end.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from collections.abc import Callable
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from truceline.accounts.models import Role, User
from truceline.core.bulk import insert_objects
from truceline.core.ids import new_id
from truceline.dashboards import tally
from truceline.geo.derive import derive_many
from truceline.geo.frame import current_frame
from truceline.geo.services import check_side, fill, party_countries
from truceline.geo.world import towns
from truceline.incidents.models import Incident, State
from truceline.ledger.services import event_append
from truceline.reports.models import Report
from truceline.scenario.models import Category, Organisation, OrganisationKind, Place, Scenario

CHUNK = 20_000
DECIDED = [  # (state, share) for incidents older than a month
    (State.PUBLISHED, 0.46),
    (State.INADMISSIBLE, 0.22),
    (State.MERGED, 0.12),
    (State.WITHDRAWN, 0.03),
    (State.ENDORSED, 0.02),
    (State.FINDING_DRAFTED, 0.03),
    (State.UNDER_VERIFICATION, 0.08),
    (State.TRIAGED, 0.04),
]
DETERMINATIONS = [
    ("confirmed-violation", 0.45),
    ("likely-violation", 0.2),
    ("insufficient-evidence", 0.17),
    ("not-a-violation", 0.1),
    ("inconclusive", 0.08),
]


def _unique_ids(prefix: str, n: int, taken: set[str]) -> list[str]:
    """Random identifiers, none repeated within the batch or already in ``taken``."""
    out: list[str] = []
    while len(out) < n:
        candidate = new_id(prefix)
        if candidate not in taken:
            taken.add(candidate)
            out.append(candidate)
    return out


def _hotspots(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(lat, lon, weight, spread in km) of the places incidents cluster around."""
    frame = current_frame()
    rows: list[tuple[float, float, float, float]] = []
    for place in Place.objects.filter(retired=False):
        weight = 6.0 if place.kind == "crossing" else 4.0
        rows.append((place.lat, place.lon, weight, 6.0))
    found = towns(frozenset(frame.party_codes))
    near = derive_many(frame, [t.lat for t in found], [t.lon for t in found])
    for town, geo in zip(found, near, strict=True):
        if geo.border_km is not None and geo.border_km <= 60:
            rows.append((town.lat, town.lon, 1.5, 8.0))
        elif geo.border_km is not None and geo.border_km <= 400 and rng.random() < 0.15:
            rows.append((town.lat, town.lon, 0.3, 4.0))  # a city far inside: strikes, attacks
    if not rows:
        raise RuntimeError("the scenario has no places to put synthetic incidents near")
    a = np.array(rows)
    return a[:, 0], a[:, 1], a[:, 2] / a[:, 2].sum(), a[:, 3]


def _times(rng: np.random.Generator, n: int, start: dt.datetime, end: dt.datetime) -> np.ndarray:
    """Seconds since ``start``: intensity falling off after the ceasefire, with flare-ups."""
    days = max(1, (end - start).days)
    day = np.arange(days)
    intensity = 0.25 + 2.0 * np.exp(-day / 30.0)
    flare = rng.random(days) < 0.06
    intensity = intensity * np.where(flare, rng.uniform(2, 5, days), 1.0)
    intensity *= 1 + 0.15 * np.sin(2 * math.pi * day / 7)
    chosen = rng.choice(days, size=n, p=intensity / intensity.sum())
    return chosen * 86400.0 + rng.uniform(0, 86400, n)


def generate(n: int, *, seed: int = 2025, progress: Callable[[int], None] | None = None) -> int:
    """Write ``n`` synthetic incidents (each with its report); returns how many were written."""
    rng = np.random.default_rng(seed)
    frame = current_frame()
    scenario = Scenario.objects.get()
    parties = list(Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False))
    by_code = {p.country_code: p for p in parties}
    codes = party_countries()
    categories = list(Category.objects.filter(retired=False))
    cat_w = np.array([1.0 / (i + 1) for i in range(len(categories))])
    cat_w /= cat_w.sum()
    liaisons = {
        u.organisation_id: u for u in User.objects.filter(role=Role.LIAISON).order_by("username")
    }
    monitor = User.objects.filter(role=Role.MONITOR).order_by("username").first()
    if len(parties) < 2 or not all(p.slug in liaisons for p in parties) or monitor is None:
        raise RuntimeError("synthetic incidents need a liaison for each party and a monitor")
    h_lat, h_lon, h_w, h_km = _hotspots(rng)
    now = timezone.now()
    start = dt.datetime.combine(scenario.agreement_date, dt.time(), tzinfo=dt.UTC)
    taken_inc = set(Incident.objects.values_list("pk", flat=True))
    taken_rep = set(Report.objects.values_list("pk", flat=True))
    digest = hashlib.sha256()
    written = 0
    while written < n:
        m = min(CHUNK, n - written)
        spot = rng.choice(h_lat.size, size=m, p=h_w)
        spread = h_km[spot] * rng.standard_normal((2, m))
        lat = h_lat[spot] + spread[0] / 110.574
        lon = h_lon[spot] + spread[1] / (111.32 * np.cos(np.radians(h_lat[spot])))
        geos = derive_many(frame, lat, lon)
        seconds = _times(rng, m, start, now)
        cats = rng.choice(len(categories), size=m, p=cat_w)
        state_draw = rng.random(m)
        det_draw = rng.random(m)
        casualty = rng.poisson(0.6, (2, m))
        inc_ids = _unique_ids("INC", m, taken_inc)
        rep_ids = _unique_ids("RPT", m, taken_rep)
        incidents: list[Incident] = []
        reports: list[Report] = []
        for i, geo in enumerate(geos):
            occurred = start + dt.timedelta(seconds=float(seconds[i]))
            side = by_code.get(geo.country)
            victim = (
                side
                if side is not None and rng.random() < 0.85
                else parties[rng.integers(len(parties))]
            )
            accused = next(p for p in parties if p.pk != victim.pk)
            by_monitor = rng.random() < 0.08
            filer = monitor if by_monitor else liaisons[victim.pk]
            state = _state(occurred, now, float(state_draw[i]))
            received = occurred + dt.timedelta(hours=float(rng.uniform(1, 30)))
            received = min(received, now)
            published = (
                received + dt.timedelta(days=float(rng.uniform(5, 25)))
                if state == State.PUBLISHED
                else None
            )
            if published is not None and published > now:
                published = now
            determination = _pick(DETERMINATIONS, float(det_draw[i])) if published else ""
            killed, injured = int(casualty[0, i]), int(casualty[1, i])
            incident = Incident(
                id=inc_ids[i],
                state=state,
                category=categories[cats[i]],
                accused_party=accused,
                occurred_at=occurred,
                urgent=killed > 2,
                created_at=received,
                triaged_at=received + dt.timedelta(hours=20) if state != State.RECEIVED else None,
                opened_at=received + dt.timedelta(days=2) if state in _OPENED else None,
                reply_due_at=received + dt.timedelta(days=2, hours=scenario.reply_window_hours)
                if state in _OPENED
                else None,
                published_at=published,
                lat=float(lat[i]),
                lon=float(lon[i]),
                filers=f",{filer.organisation_id},",
                determination=determination,
                attributed_party=accused
                if determination in {"confirmed-violation", "likely-violation"}
                else None,
                killed=killed,
                injured=injured,
            )
            origin = accused.slug if rng.random() < 0.5 else None
            flag = check_side(geo, origin=origin, codes=codes)
            fill(incident, geo, flag=flag)
            report = Report(
                id=rep_ids[i],
                incident=incident,
                filed_by=filer,
                filing_org_id=str(filer.organisation_id),
                submitted_at=received,
                category=incident.category,
                accused_party=accused,
                origin_id=origin,
                occurred_at=occurred,
                time_precision="exact",
                lat=float(lat[i]),
                lon=float(lon[i]),
                location_precision="near",
                narrative=f"Synthetic incident (demonstration data), near {geo.nearest or '?'}.",
                casualties=_casualties(killed, injured),
                confidentiality="parties",
                urgent=incident.urgent,
                receipt_seq=0,
            )
            fill(report, geo, flag=flag)
            incidents.append(incident)
            reports.append(report)
            digest.update(inc_ids[i].encode())
        with transaction.atomic():
            insert_objects(incidents)
            insert_objects(reports)
        written += m
        if progress:
            progress(written)
    with transaction.atomic():
        tally.rebuild()
        event_append(
            actor=None,
            kind="demo.synthetic",
            object_type="scenario",
            object_id=scenario.slug,
            payload={"incidents": n, "seed": seed, "ids_sha256": digest.hexdigest()},
        )
    with connection.cursor() as cursor:  # fresh statistics, so the planners use the indexes
        cursor.execute("ANALYZE")
    return written


_OPENED = {State.UNDER_VERIFICATION, State.FINDING_DRAFTED, State.ENDORSED, State.PUBLISHED}


def _pick(shares: list[tuple[Any, float]], draw: float) -> Any:
    total = 0.0
    for value, share in shares:
        total += share
        if draw < total:
            return value
    return shares[-1][0]


def _state(occurred: dt.datetime, now: dt.datetime, draw: float) -> str:
    age = (now - occurred).days
    if age < 2:
        return State.RECEIVED if draw < 0.8 else State.TRIAGED
    if age < 10:
        return _pick(
            [
                (State.RECEIVED, 0.1),
                (State.TRIAGED, 0.3),
                (State.UNDER_VERIFICATION, 0.5),
                (State.INADMISSIBLE, 0.1),
            ],
            draw,
        )
    if age < 30:
        return _pick(
            [
                (State.UNDER_VERIFICATION, 0.35),
                (State.FINDING_DRAFTED, 0.15),
                (State.ENDORSED, 0.1),
                (State.PUBLISHED, 0.2),
                (State.INADMISSIBLE, 0.2),
            ],
            draw,
        )
    return str(_pick(DECIDED, draw))


def _casualties(killed: int, injured: int) -> dict[str, dict[str, list[int]]]:
    out: dict[str, dict[str, list[int]]] = {}
    if killed:
        out["killed"] = {"security": [killed, killed]}
    if injured:
        out["injured"] = {"civilians": [injured, injured + 2]}
    return out
