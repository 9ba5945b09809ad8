from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from truceline.accounts.credentials import change_approve, change_refuse
from truceline.core.errors import ApiError
from truceline.security.models import CredentialChange, SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """The security review: read-only, nothing added, changed or deleted by hand."""

    list_display = (
        "at",
        "kind",
        "username",
        "object_type",
        "object_id",
        "method",
        "path",
        "address",
    )
    list_filter = ("kind",)
    search_fields = ("username", "object_id", "path", "address")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CredentialChange)
class CredentialChangeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Changes to a second-factor person's credentials that wait for a second admin
    (accounts/credentials.py). Read-only; approved or refused with the actions, by an admin who
    neither asked nor is the person (policy/credentials.py). What is to be set (a password's
    hash) is never shown."""

    list_display = (
        "id",
        "user",
        "kind",
        "requested_by",
        "requested_at",
        "state",
        "decided_by",
        "decided_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("id", "user__username", "requested_by__username")
    fields = list_display
    readonly_fields = list_display
    actions = ["approve", "refuse"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None  # the actions need it on the list; a change's page stays read-only

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def _decide(self, request: HttpRequest, queryset: Any, decide: Any, done: str) -> None:
        for change in queryset:
            try:
                decide(actor=request.user, change=change)
            except ApiError as exc:
                messages.error(request, f"{change.id}: {exc.message}")
            else:
                messages.success(request, done % {"id": change.id})

    @admin.action(description=_("Approve the selected changes (as the second admin)"))
    def approve(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, change_approve, gettext("%(id)s approved and made."))

    @admin.action(description=_("Refuse the selected changes"))
    def refuse(self, request: HttpRequest, queryset: Any) -> None:
        self._decide(request, queryset, change_refuse, gettext("%(id)s refused."))
