"""The map's and the dashboard's filters, read from a query string the same way for the page
and the API; a bad value is a 422 naming the field, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import QueryDict

from truceline.core.errors import Invalid
from truceline.dashboards.maps import MapFilter
from truceline.incidents.models import State
from truceline.scenario.models import Category, Organisation, OrganisationKind, Sector


def _date(value: str | None, name: str, errors: dict[str, list[str]]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = ["a date as YYYY-MM-DD"]
        return None


def _choices(
    values: list[str], known: set[str], name: str, errors: dict[str, list[str]]
) -> tuple[str, ...]:
    values = [v for v in values if v]
    unknown = sorted(set(values) - known)
    if unknown:
        errors[name] = [f"unknown: {', '.join(unknown)[:200]}"]
    return tuple(dict.fromkeys(values))


def map_filter(query: QueryDict | dict[str, Any]) -> tuple[MapFilter, int]:
    """(filter, zoom) from ``from``, ``to``, ``category``, ``party``, ``state``, ``sector``
    (each repeatable), ``bbox=south,west,north,east`` and ``zoom``."""

    def many(name: str) -> list[str]:
        if isinstance(query, QueryDict):
            return query.getlist(name)
        value = query.get(name) or []
        return list(value) if isinstance(value, list | tuple) else [str(value)]

    def one(name: str) -> str | None:
        values = many(name)
        return values[-1] if values else None

    errors: dict[str, list[str]] = {}
    date_from = _date(one("from"), "from", errors)
    date_to = _date(one("to"), "to", errors)
    if date_from and date_to and date_from > date_to:
        errors["to"] = ["before the start"]
    categories = _choices(
        many("category"), set(Category.objects.values_list("slug", flat=True)), "category", errors
    )
    parties = _choices(
        many("party"),
        set(
            Organisation.objects.filter(kind=OrganisationKind.PARTY).values_list("slug", flat=True)
        ),
        "party",
        errors,
    )
    states = _choices(many("state"), set(State.values), "state", errors)
    sectors = _choices(
        many("sector"), set(Sector.objects.values_list("slug", flat=True)), "sector", errors
    )
    bbox = None
    raw = one("bbox")
    if raw:
        try:
            south, west, north, east = (float(x) for x in raw.split(","))
            if not (-90 <= south <= north <= 90 and -180 <= west <= east <= 180):
                raise ValueError
            bbox = (south, west, north, east)
        except ValueError:
            errors["bbox"] = ["south,west,north,east in degrees, south ≤ north and west ≤ east"]
    zoom = 6
    raw = one("zoom")
    if raw:
        try:
            zoom = int(raw)
            if not 0 <= zoom <= 20:
                raise ValueError
        except ValueError:
            errors["zoom"] = ["a whole number from 0 to 20"]
    if errors:
        raise Invalid(errors)
    return (
        MapFilter(
            date_from=date_from,
            date_to=date_to,
            categories=categories,
            parties=parties,
            states=states,
            sectors=sectors,
            bbox=bbox,
        ),
        zoom,
    )
