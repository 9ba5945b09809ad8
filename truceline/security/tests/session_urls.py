"""The product's URLs, and one API operation that takes writes from a signed-in page through
``PageOrBearer``: none of the product's does yet, so the CSRF and second-factor checks a
session's write meets are held here, through the served product's middleware."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import path
from ninja import NinjaAPI

from truceline.core.api import PageOrBearer, install_error_handlers
from truceline.urls import urlpatterns as product

api = NinjaAPI(urls_namespace="session-write-test", docs_url=None, openapi_url=None)
install_error_handlers(api)


@api.post("/whoami", auth=PageOrBearer())
def whoami(request: HttpRequest) -> dict[str, str]:
    return {"username": request.user.get_username()}


urlpatterns = [path("api/session-test/", api.urls), *product]
