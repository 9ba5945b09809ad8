"""The map page and the dashboard page: thin callers of maps.py and selectors.py."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from truceline.core.errors import Invalid, field_messages
from truceline.dashboards.maps import POINTS_ZOOM, MapFilter, sector_summary
from truceline.dashboards.params import map_filter
from truceline.dashboards.selectors import dashboard
from truceline.geo.selectors import public_precision_km
from truceline.incidents.models import State
from truceline.policy import sees_exact_location, visible_to
from truceline.scenario.models import Category, Organisation, OrganisationKind, Sector


def map_page(request: HttpRequest) -> HttpResponse:
    refused: Invalid | None = None
    try:
        f, _zoom = map_filter(request.GET)
    except Invalid as exc:
        refused, f = exc, MapFilter()
    status = 422 if refused else 200
    exact = sees_exact_location(request.user)
    names = dict(Sector.objects.values_list("slug", "name"))
    labels = dict(State.choices)
    context = {
        "filter": f,
        "errors": field_messages(refused),
        "categories": visible_to(request.user, Category).filter(retired=False),
        "parties": visible_to(request.user, Organisation).filter(kind=OrganisationKind.PARTY),
        "sectors": visible_to(request.user, Sector).filter(retired=False),
        "states": State.choices,
        "legend": [(v, label) for v, label in State.choices if exact or v == State.PUBLISHED],
        "summary": [
            {
                "name": names.get(row["sector"], _("Away from the border")),
                "n": row["n"],
                "states": [(labels[s], n) for s, n in sorted(row["states"].items())],
            }
            for row in sector_summary(request.user, f)
        ],
        "exact": exact,
        "rounded_km": public_precision_km(),
        "tiles": getattr(settings, "TRUCELINE_MAP_TILES", ""),
        "tiles_attribution": getattr(settings, "TRUCELINE_MAP_TILES_ATTRIBUTION", ""),
        "points_zoom": POINTS_ZOOM,
        "query": request.GET.urlencode() if not refused else "",
    }
    return render(request, "dashboards/map.html", context, status=status)


def dashboard_page(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("category") or None
    known = set(Category.objects.values_list("slug", flat=True))
    status = 200
    error = ""
    if category is not None and category not in known:
        category, status, error = None, 422, _("Unknown category: showing all.")
    context = dashboard(request.user, category=category)
    context |= {
        "categories": visible_to(request.user, Category).filter(retired=False),
        "error": error,
    }
    return render(request, "dashboards/dashboard.html", context, status=status)
