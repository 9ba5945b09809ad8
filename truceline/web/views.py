"""Pages. Thin: read through the policy, render a template."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from truceline.policy import role_of

HOME_TEMPLATES = {
    "public": "web/home_public.html",
    "liaison": "web/home_liaison.html",
    "monitor": "web/home_monitor.html",
    "signatory": "web/home_signatory.html",
    "admin": "web/home_admin.html",
}


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """Each role's home: its queues (the workflow fills them) or the public portal."""
    template = HOME_TEMPLATES.get(role_of(request.user), HOME_TEMPLATES["public"])
    return render(request, template, {})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and the test harness: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"ok": True})
