"""/exports/incidents.{format}: every incident the caller may see, streamed."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest, StreamingHttpResponse
from ninja import Query, Router, Schema
from pydantic import ConfigDict, Field

from truceline.core.api import PageOrBearer, errors, file_answer
from truceline.exchange.exports import FORMATS, Filters
from truceline.exchange.views import stream

router = Router(tags=["exports"])


class ExportParams(Schema):
    model_config = ConfigDict(extra="forbid")
    state: str | None = Field(None, max_length=24)
    category: str | None = Field(None, max_length=60)
    party: str | None = Field(None, max_length=60)
    sector: str | None = Field(None, max_length=60)
    from_: dt.date | None = Field(None, alias="from")
    to: dt.date | None = None


@router.get(
    "/exports/incidents.{fmt}",
    response={200: None, **errors(401, 404, 422, 429)},
    auth=PageOrBearer(),
    openapi_extra=file_answer(
        "The incidents, streamed in the format asked for",
        *sorted({media_type.split(";")[0] for media_type, _, _ in FORMATS.values()}),
    ),
    summary="Every incident you may see, streamed: csv (with an HXL hashtag row), geojson, "
    "jsonl, acled (ACLED-compatible CSV); the public's points rounded",
)
def exports_incidents(
    request: HttpRequest, fmt: Literal["csv", "geojson", "jsonl", "acled"], q: Query[ExportParams]
) -> StreamingHttpResponse:
    filters = Filters(
        state=q.state,
        category=q.category,
        party=q.party,
        sector=q.sector,
        from_=q.from_,
        to=q.to,
    )
    return stream(request.user, fmt, filters)
