"""Places (suggestions as one types, the nearest named place to a point) and crossings."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from truceline.core.api import Bearer, OptionalBearer, actor_of, errors
from truceline.core.errors import NotFound
from truceline.geo.outputs import (
    CrossingChangeOut,
    CrossingHistoryOut,
    CrossingsOut,
    NearestOut,
    SuggestionsOut,
    change_out,
    crossing_history_out,
    crossings_out,
    suggestions_out,
)
from truceline.geo.selectors import (
    crossing_timeline,
    crossings_now,
    nearest_named,
    place_suggestions,
)
from truceline.geo.services import crossing_status_record
from truceline.policy import access
from truceline.scenario.models import Place, PlaceKind

router = Router(tags=["geography"])


class SuggestQuery(Schema):
    q: str = Field(min_length=1, max_length=100)
    limit: int = Field(10, ge=1, le=50)


@router.get(
    "/places/suggest",
    response={200: SuggestionsOut, **errors(422)},
    auth=None,
    summary="Places whose name or alias (English, Urdu, Pashto, Dari) starts with the query",
    exclude_unset=True,
)
def places_suggest(request: HttpRequest, q: Query[SuggestQuery]) -> dict[str, Any]:
    return suggestions_out(place_suggestions(q.q, q.limit))


class PointQuery(Schema):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


@router.get(
    "/places/nearest",
    response={200: NearestOut, **errors(422)},
    auth=None,
    summary="The nearest named place to a point, and the point's derived geography",
    exclude_unset=True,
)
def places_nearest(request: HttpRequest, q: Query[PointQuery]) -> dict[str, Any]:
    return nearest_named(q.lat, q.lon)


@router.get(
    "/crossings",
    response={200: CrossingsOut, **errors(401)},
    auth=OptionalBearer(),
    summary="Every crossing with its current status (public)",
    exclude_unset=True,
)
def crossings_list(request: HttpRequest) -> dict[str, Any]:
    return crossings_out(crossings_now(request.user))


def _crossing(request: HttpRequest, slug: str) -> Place:
    place = access(request.user, Place, pk=slug)
    if place.kind != PlaceKind.CROSSING:
        raise NotFound()
    return place


@router.get(
    "/crossings/{slug}",
    response={200: CrossingHistoryOut, **errors(401, 404)},
    auth=OptionalBearer(),
    summary="A crossing's status over time, newest first",
    exclude_unset=True,
)
def crossings_get(request: HttpRequest, slug: str) -> dict[str, Any]:
    place = _crossing(request, slug)
    return crossing_history_out(place, crossing_timeline(request.user, place))


class StatusIn(Schema):
    model_config = ConfigDict(extra="forbid")
    status: Literal["open", "restricted", "closed"]
    audiences: list[str] = Field(default_factory=list, max_length=3)
    since: dt.datetime
    source: str = Field(min_length=1, max_length=2000)
    note: str = Field("", max_length=5000)


@router.post(
    "/crossings/{slug}/status",
    response={201: CrossingChangeOut, **errors(400, 401, 403, 404, 422)},
    auth=Bearer(),
    summary="Record a crossing's status from a time on (monitors); on the ledger",
    exclude_unset=True,
)
def crossings_record(request: HttpRequest, slug: str, payload: StatusIn) -> Status:
    actor = actor_of(request)
    place = _crossing(request, slug)
    change = crossing_status_record(actor=actor, crossing=place, **payload.dict())
    return Status(201, change_out(change))
