from django.contrib import admin
from django.http import HttpRequest, JsonResponse
from django.urls import include, path, re_path

from truceline.api import api
from truceline.core.errors import error_body


def api_not_found(request: HttpRequest, rest: str = "") -> JsonResponse:
    return JsonResponse(error_body("not-found"), status=404)


admin.site.site_header = "Truceline secretariat"
admin.site.site_title = "Truceline"

urlpatterns = [
    path("api/v1/", api.urls),
    re_path(r"^api/(?P<rest>.*)$", api_not_found),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # set_language: the switcher on every page
    path("", include("truceline.accounts.urls")),
    path("", include("truceline.incidents.urls")),
    path("", include("truceline.ledger.urls")),
    path("", include("truceline.evidence.urls")),
    path("", include("truceline.followup.urls")),
    path("", include("truceline.dashboards.urls")),
    path("", include("truceline.geo.urls")),
    path("", include("truceline.notify.urls")),
    path("", include("truceline.exchange.urls")),
    path("", include("truceline.osint.urls")),
    path("", include("truceline.publications.urls")),
    path("", include("truceline.web.urls")),
]
