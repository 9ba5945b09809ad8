"""Geography at write time, and crossing status changes (on the ledger)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from truceline.accounts.models import User
from truceline.core.errors import Forbidden, Invalid
from truceline.geo.derive import Geo
from truceline.geo.frame import geography
from truceline.geo.models import AUDIENCES, CrossingChange, CrossingState, Derived
from truceline.geo.world import countries
from truceline.ledger.services import event_append
from truceline.policy import can
from truceline.scenario.models import Organisation, OrganisationKind, Place, PlaceKind

CLOCK_SKEW = dt.timedelta(minutes=10)


def far_km() -> float:
    """Beyond this distance from the border a point needs an origin to make sense of it."""
    return float(getattr(settings, "TRUCELINE_GEO_FAR_KM", 50))


def party_countries() -> dict[str, str]:
    """Country code -> party name."""
    return dict(
        Organisation.objects.filter(kind=OrganisationKind.PARTY).values_list("country_code", "name")
    )


def check_side(geo: Geo, *, origin: str | None, codes: dict[str, str] | None = None) -> str:
    """What a monitor should check about where a report puts an event: a point outside both
    parties, or far inside one of them with no origin given. Flagged, never refused."""
    codes = party_countries() if codes is None else codes
    if geo.country not in codes:
        where = countries()[geo.country].name if geo.country in countries() else "at sea"
        return f"The point is not in either party's territory ({where}): check the coordinates."
    if origin is None and geo.border_km is not None and geo.border_km > far_km():
        return (
            f"The point is {geo.border_km:.0f} km inside {codes[geo.country]}, far from the "
            "border, and the report gives no origin: check where the attack came from."
        )
    return ""


def locate(obj: Derived, lat: float, lon: float, *, origin: str | None = None) -> Geo:
    """Fill a located record's derived columns (not saved here)."""
    geo = geography(lat, lon)
    fill(obj, geo, flag=check_side(geo, origin=origin))
    return geo


def fill(obj: Any, geo: Geo, *, flag: str) -> None:
    obj.country = geo.country
    obj.border_km = geo.border_km
    obj.sector_id = geo.sector
    obj.crossing_id = geo.crossing
    obj.crossing_km = geo.crossing_km
    obj.nearest_place = geo.nearest
    obj.nearest_km = geo.nearest_km
    obj.province = geo.province
    obj.district = geo.district
    obj.cell = geo.cell
    obj.geo_flag = flag


LOCATION_FIELDS = ("lat", "lon", *(f.attname for f in Derived._meta.concrete_fields))


def copy_location(target: Any, source: Any) -> None:
    """An incident takes the place of the report it was opened from."""
    for field in LOCATION_FIELDS:
        setattr(target, field, getattr(source, field))


def crossing_status_record(
    *,
    actor: User,
    crossing: Place,
    status: str,
    audiences: list[str],
    since: dt.datetime,
    source: str,
    note: str = "",
) -> CrossingChange:
    if not can(actor, "crossing.record"):
        raise Forbidden(gettext("monitors record crossing status"))
    errors: dict[str, list[str]] = {}
    if crossing.kind != PlaceKind.CROSSING or crossing.retired:
        errors["crossing"] = ["not a crossing"]
    if status not in CrossingState.values:
        errors["status"] = [f"expected one of {', '.join(CrossingState.values)}"]
    unknown = sorted(set(audiences) - set(AUDIENCES))
    if unknown:
        errors["audiences"] = [f"expected some of {', '.join(AUDIENCES)}"]
    if len(set(audiences)) != len(audiences):
        errors["audiences"] = ["a group is named twice"]
    if status == CrossingState.CLOSED and audiences:
        errors["audiences"] = ["a closed crossing is open to nobody"]
    if status != CrossingState.CLOSED and not audiences and not unknown:
        errors["audiences"] = ["say for whom it is open"]
    if since.tzinfo is None:
        errors["since"] = ["give a time zone (e.g. Z or +05:00)"]
    elif since > timezone.now() + CLOCK_SKEW:
        errors["since"] = ["in the future"]
    if not source.strip():
        errors["source"] = ["say on whose word (a monitor's visit, an official, a report)"]
    if errors:
        raise Invalid(errors)
    now = timezone.now()
    with transaction.atomic():
        change = CrossingChange(
            crossing=crossing,
            status=status,
            audiences=sorted(audiences, key=AUDIENCES.index),
            since=since,
            source=source.strip(),
            note=note.strip(),
            recorded_by=actor,
            recorded_at=now,
            event_seq=0,
        )
        change.save()
        event = event_append(
            actor=actor,
            kind="crossing.status",
            object_type="crossing",
            object_id=crossing.slug,
            payload={
                "change": change.id,
                "status": status,
                "audiences": change.audiences,
                "since": since.isoformat(),
                "source": change.source,
                "note": change.note,
            },
        )
        change.event_seq = event.seq
        change.save(update_fields=["event_seq"])
    return change
