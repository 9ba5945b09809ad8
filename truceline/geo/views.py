"""Crossings: their status now (public), each one's timeline, and the monitors' form."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truceline.core.errors import ApiError, NotFound, field_messages
from truceline.core.parsing import datetime_or_none
from truceline.geo.models import AUDIENCES, CrossingState
from truceline.geo.selectors import crossing_timeline, crossings_now
from truceline.geo.services import crossing_status_record
from truceline.policy import access, can
from truceline.scenario.models import Place, PlaceKind


def crossings(request: HttpRequest) -> HttpResponse:
    return render(request, "geo/crossings.html", {"crossings": crossings_now(request.user)})


@require_http_methods(["GET", "POST"])
def crossing(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        place = access(request.user, Place, pk=slug)
    except NotFound as exc:
        raise Http404 from exc
    if place.kind != PlaceKind.CROSSING:
        raise Http404
    monitor = can(request.user, "crossing.record")
    error: ApiError | None = None
    status = 200
    if request.method == "POST":
        if not monitor:
            status = 403
            error = ApiError("forbidden", _("Monitors record crossing status."))
        else:
            since = datetime_or_none(request.POST.get("since"))
            try:
                if since is None:
                    raise ApiError(
                        "invalid", fields={"since": [_("a date and time, with its zone")]}
                    )
                crossing_status_record(
                    actor=request.user,  # type: ignore[arg-type]
                    crossing=place,
                    status=request.POST.get("status", ""),
                    audiences=request.POST.getlist("audiences"),
                    since=since,
                    source=request.POST.get("source", ""),
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Status recorded; it is on the ledger."))
                return redirect("geo:crossing", slug=slug)
            except ApiError as exc:
                error, status = exc, exc.status
    fields = field_messages(error)
    return render(
        request,
        "geo/crossing.html",
        {
            "place": place,
            "changes": crossing_timeline(request.user, place),
            "monitor": monitor,
            "error": error,
            "fields": fields,
            "states": CrossingState.choices,
            "audiences": AUDIENCES,
            "form": request.POST if request.method == "POST" else {},
        },
        status=status,
    )
