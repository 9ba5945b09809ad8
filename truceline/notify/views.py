"""The notifications page: what you were told, your channels per kind, your webhooks."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from truceline.core.errors import ApiError, NotFound, field_messages
from truceline.notify import services
from truceline.notify.models import Kind, Notification, Webhook
from truceline.policy import access_webhook, visible_to


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    user = request.user
    error: ApiError | None = None
    secret = None
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "preferences":
                choices = {
                    kind: {
                        "email": f"email-{kind}" in request.POST,
                        "webhook": f"webhook-{kind}" in request.POST,
                    }
                    for kind in Kind.values
                }
                services.preferences_set(actor=user, choices=choices)  # type: ignore[arg-type]
            elif step == "webhook":
                _hook, secret = services.webhook_create(
                    actor=user,  # type: ignore[arg-type]
                    url=request.POST.get("url", ""),
                )
            elif step == "revoke":
                try:
                    hook = access_webhook(user, request.POST.get("webhook", ""))
                except NotFound as exc:
                    raise Http404 from exc
                services.webhook_revoke(actor=user, hook=hook)  # type: ignore[arg-type]
            else:
                raise Http404
        except ApiError as exc:
            error = exc
        else:
            if secret is None:
                messages.success(request, _("Saved."))
                return redirect("notify:notifications")
    context = {
        "notes": visible_to(user, Notification).prefetch_related("deliveries")[:100],
        "preferences": services.preferences(user),  # type: ignore[arg-type]
        "webhooks": visible_to(user, Webhook).filter(revoked_at__isnull=True).order_by("id"),
        "secret": secret,
        "error": error,
        "fields": field_messages(error),
        "posted": request.POST,
    }
    return render(
        request, "notify/notifications.html", context, status=error.status if error else 200
    )
