"""Downloads: the same streams for the page (session) and the API (token or session)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render

from truceline.exchange.exports import FORMATS, Filters, filters_from
from truceline.scenario.models import Category, Organisation, OrganisationKind, Sector


def stream(viewer: Any, fmt: str, filters: Filters) -> StreamingHttpResponse:
    if fmt not in FORMATS:
        raise Http404
    content_type, suffix, make = FORMATS[fmt]
    response = StreamingHttpResponse(make(viewer, filters), content_type=content_type)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%MZ")
    response["Content-Disposition"] = f'attachment; filename="incidents-{stamp}.{suffix}"'
    response["Cache-Control"] = "private, no-store"
    return response


def exports(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "exchange/exports.html",
        {
            "formats": [
                ("csv", "CSV with HXL hashtags"),
                ("geojson", "GeoJSON"),
                ("jsonl", "JSON Lines"),
                ("acled", "ACLED-compatible CSV"),
            ],
            "categories": Category.objects.filter(retired=False),
            "parties": Organisation.objects.filter(kind=OrganisationKind.PARTY, retired=False),
            "sectors": Sector.objects.filter(retired=False),
        },
    )


def export_download(request: HttpRequest, fmt: str) -> HttpResponse | StreamingHttpResponse:
    try:
        filters = filters_from(request.GET)
    except ValueError as exc:
        return HttpResponse(str(exc), status=422, content_type="text/plain; charset=utf-8")
    return stream(request.user, fmt, filters)
